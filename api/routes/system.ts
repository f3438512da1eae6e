import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { UsageReport, VersionReply } from '../../shared/schemas';
import { requireAuth } from '../auth/credentials';
import type { AppDeps } from '../deps';
import { httpError } from '../http/errors';
import { authErrors, credentialSecurity, json, jsonBody, notFound, text, routeGroup } from './openapi';

/** Artifactory's `system/ping` (anonymous), `system/version` and `system/usage`. */
export function systemRoutes(deps: AppDeps) {
  const app = routeGroup();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/system/ping',
      tags: ['System'],
      summary: 'Ping: `OK` when Keyfob is ready',
      responses: { 200: text('OK') },
    }),
    (c) => c.text('OK'),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/system/version',
      tags: ['System'],
      summary: 'Version',
      security: credentialSecurity,
      middleware: [requireAuth(deps, { can: 'identify' })] as const,
      responses: { 200: json(VersionReply, 'The version'), ...authErrors },
    }),
    (c) => c.json({ version: deps.version, revision: deps.revision, addons: [] }, 200),
  );

  // JFrog's clients report their use on every run (the CLI, Terraform, jfrog-client-js). Credentials are
  // not read: nothing is kept or answered that they would guard, and a stale one must not count as a
  // failed sign-in. jfrog-client-js expects an empty body.
  app.openapi(
    createRoute({
      method: 'post',
      path: '/system/usage',
      tags: ['System'],
      summary: 'Report usage (accepted; nothing is kept)',
      description: 'Any credential or none. 200 with an empty body; 400 for a body that is not a usage report.',
      request: jsonBody(UsageReport),
      responses: { 200: { description: 'Accepted (empty body)' }, 400: authErrors[400] },
    }),
    (c) => c.body(null, 200),
  );

  // Where `git-lfs-authenticate` points Git LFS. Keyfob vouches for the user but keeps no LFS objects:
  // the client gets a plain answer that says so, after its token was checked like any credential.
  app.openapi(
    createRoute({
      method: 'post',
      path: '/lfs/{repo}/objects/batch',
      tags: ['System'],
      summary: 'Git LFS batch endpoint (no objects kept)',
      security: credentialSecurity,
      request: { params: z.object({ repo: z.string().meta({ param: { name: 'repo', in: 'path' } }) }) },
      middleware: [requireAuth(deps, { can: 'identify' })] as const,
      responses: { ...authErrors, ...notFound },
    }),
    (c) => {
      throw httpError(
        'NOT_FOUND',
        `Keyfob authenticates Git LFS but keeps no LFS objects: repository '${c.req.valid('param').repo.slice(0, 100)}' is not stored here`,
      );
    },
  );

  return app;
}
