import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { SshKeyAddRequest, SshKeyList, SshKeyPolicy, SshKeyReply } from '../../shared/schemas';
import { requireAuth } from '../auth/credentials';
import type { AppDeps } from '../deps';
import { addSshKey, describeSshKey, getSshKeyPolicy, listSshKeys, removeSshKey, setSshKeyPolicy } from '../domain/sshKeys';
import { unwrap } from '../http/errors';
import { authErrors, conflict, credentialSecurity, json, jsonBody, notFound, routeGroup, sessionSecurity } from './openapi';

const KeyId = z.object({
  id: z.coerce
    .number()
    .int()
    .positive()
    .meta({ param: { name: 'id', in: 'path' } }),
});

/** The profile's SSH public keys (for Git LFS over SSH), and the admin's policy on which are accepted. */
export function sshKeyRoutes(deps: AppDeps) {
  const app = routeGroup();
  const base = { tags: ['SSH keys'], security: sessionSecurity };

  app.openapi(
    createRoute({
      ...base,
      method: 'get',
      path: '/profile/sshKeys',
      summary: 'List SSH keys',
      description: 'Public keys are not secret: listed to any signed-in session.',
      middleware: [requireAuth(deps, { can: 'readProfile' })] as const,
      responses: { 200: json(SshKeyList, 'The keys, oldest first'), ...authErrors },
    }),
    async (c) => c.json({ keys: await listSshKeys(deps, c.var.principal.user) }, 200),
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'post',
      path: '/profile/sshKeys',
      summary: 'Add an SSH key',
      description:
        'One line of OpenSSH public key (ssh-rsa of 2048 bits or more, ssh-ed25519, ecdsa-sha2-nistp256/384/521; ssh-dss only when an admin allows it). A key identifies one user.',
      request: jsonBody(SshKeyAddRequest),
      middleware: [requireAuth(deps, { can: 'manageSignInMethods' })] as const,
      responses: { 201: json(SshKeyReply, 'The key as registered'), ...authErrors, ...conflict },
    }),
    async (c) => {
      const key = unwrap(await addSshKey(deps, c.var.requestContext, c.var.principal.user, c.req.valid('json')));
      return c.json(describeSshKey(key), 201);
    },
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'delete',
      path: '/profile/sshKeys/{id}',
      summary: 'Remove an SSH key',
      description: 'Its SSH access, and every Git LFS token it got, end at once.',
      request: { params: KeyId },
      middleware: [requireAuth(deps, { can: 'manageSignInMethods' })] as const,
      responses: { 200: json(SshKeyList, 'The keys left'), ...authErrors, ...notFound },
    }),
    async (c) => {
      const { user } = c.var.principal;
      unwrap(await removeSshKey(deps, c.var.requestContext, user, c.req.valid('param').id));
      return c.json({ keys: await listSshKeys(deps, user) }, 200);
    },
  );

  const admin = requireAuth(deps, { can: 'adminChange' });
  const adminBase = { tags: ['SSH keys'], security: credentialSecurity };
  app.openapi(
    createRoute({
      ...adminBase,
      method: 'get',
      path: '/settings/sshKeyPolicy',
      summary: 'SSH key policy',
      middleware: [admin] as const,
      responses: { 200: json(SshKeyPolicy, 'The policy'), ...authErrors },
    }),
    async (c) => c.json(await getSshKeyPolicy(deps), 200),
  );
  app.openapi(
    createRoute({
      ...adminBase,
      method: 'put',
      path: '/settings/sshKeyPolicy',
      summary: 'Set the SSH key policy',
      description: 'Turning DSA off also refuses DSA keys already registered, from their next connection.',
      request: jsonBody(SshKeyPolicy),
      middleware: [admin] as const,
      responses: { 200: json(SshKeyPolicy, 'The policy now'), ...authErrors },
    }),
    async (c) => c.json(await setSshKeyPolicy(deps, c.req.valid('json')), 200),
  );

  return app;
}
