import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { ChangePasswordRequest, LockPolicy, UserNameList } from '../../shared/schemas';
import { requireAuth } from '../auth/credentials';
import { deriveEncryptedApiKey, deriveEncryptedPassword } from '../crypto/secrets';
import type { AppDeps } from '../deps';
import { getLockPolicy, setLockPolicy } from '../domain/lockout';
import { changePassword, expirePassword } from '../domain/passwords';
import { findUser, unlockUsers } from '../domain/users';
import { httpError, unwrap } from '../http/errors';
import { authErrors, credentialSecurity, json, jsonBody, notFound, text, routeGroup } from './openapi';

/** Artifactory's password, lock and lock-policy calls. */
export function securityRoutes(deps: AppDeps) {
  const app = routeGroup();
  const admin = requireAuth(deps, { admin: true });
  const base = { tags: ['Security'], security: credentialSecurity };

  app.openapi(
    createRoute({
      ...base,
      method: 'get',
      path: '/security/encryptedPassword',
      summary: 'Get User Encrypted Password',
      description:
        'Authenticated with the clear-text password: the encrypted password (`AP1…`). With an API key: the encrypted form of the key (`AP2…`).',
      middleware: [requireAuth(deps)] as const,
      responses: { 200: text('The encrypted password'), ...authErrors },
    }),
    (c) => {
      const { user, via, apiKey } = c.var.principal;
      if (via === 'password') return c.text(deriveEncryptedPassword(deps.keys, user.id, user.passwordStamp), 200);
      if (via === 'apiKey' && apiKey) return c.text(deriveEncryptedApiKey(deps.keys, user.id, apiKey.lookupHash), 200);
      throw httpError('FORBIDDEN', 'Ask for the encrypted password with your clear-text password (or your API key)');
    },
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'post',
      path: '/security/users/authorization/changePassword',
      summary: 'Change Password',
      description: 'A user changes their own (giving `oldPassword`); an admin anyone\'s.',
      request: jsonBody(ChangePasswordRequest),
      middleware: [requireAuth(deps, { allowExpiredPassword: true })] as const,
      responses: { 200: text('Changed'), ...authErrors, ...notFound },
    }),
    async (c) => {
      unwrap(await changePassword(deps, c.var.requestContext, c.var.principal, c.req.valid('json')));
      return c.text('Password has been successfully changed', 200);
    },
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'post',
      path: '/security/users/authorization/expirePassword/{userName}',
      summary: 'Expire Password (admin)',
      request: { params: z.object({ userName: z.string() }) },
      middleware: [admin] as const,
      responses: { 200: text('Expired'), ...authErrors, ...notFound },
    }),
    async (c) => {
      const user = unwrap(await expirePassword(deps, c.var.requestContext, c.var.principal.user, c.req.valid('param').userName));
      return c.text(`The password of user '${user.name}' has expired`, 200);
    },
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'post',
      path: '/security/unlockUsers/{userName}',
      summary: 'Unlock Locked Out User (admin)',
      request: { params: z.object({ userName: z.string() }) },
      middleware: [admin] as const,
      responses: { 200: text('Unlocked'), ...authErrors, ...notFound },
    }),
    async (c) => {
      const user = unwrap(await findUser(deps, c.req.valid('param').userName));
      await unlockUsers(deps, c.var.requestContext, c.var.principal.user, [user.name]);
      return c.text(`User '${user.name}' has been unlocked`, 200);
    },
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'post',
      path: '/security/unlockUsers',
      summary: 'Unlock Locked Out Users (admin)',
      request: jsonBody(UserNameList),
      middleware: [admin] as const,
      responses: { 200: text('Unlocked'), ...authErrors },
    }),
    async (c) => {
      const names = c.req.valid('json');
      await unlockUsers(deps, c.var.requestContext, c.var.principal.user, names);
      return c.text(`${names.length} user(s) have been unlocked`, 200);
    },
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'post',
      path: '/security/unlockAllUsers',
      summary: 'Unlock All Locked Out Users (admin)',
      middleware: [admin] as const,
      responses: { 200: text('Unlocked'), ...authErrors },
    }),
    async (c) => {
      await unlockUsers(deps, c.var.requestContext, c.var.principal.user, null);
      return c.text('All users have been unlocked', 200);
    },
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'get',
      path: '/security/userLockPolicy',
      summary: 'Get Locked Out Users Policy (admin)',
      middleware: [admin] as const,
      responses: { 200: json(LockPolicy, 'The policy'), ...authErrors },
    }),
    async (c) => c.json(await getLockPolicy(deps.store), 200),
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'put',
      path: '/security/userLockPolicy',
      summary: 'Configure User Lock Policy (admin)',
      request: jsonBody(LockPolicy),
      middleware: [admin] as const,
      responses: { 200: json(LockPolicy, 'The policy now'), ...authErrors },
    }),
    async (c) => c.json(await setLockPolicy(deps.store, c.req.valid('json')), 200),
  );

  return app;
}
