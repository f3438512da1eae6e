import { createRoute } from '@hono/zod-openapi';
import { VersionReply } from '../../shared/schemas';
import { requireAuth } from '../auth/credentials';
import type { AppDeps } from '../deps';
import { authErrors, credentialSecurity, json, text, routeGroup } from './openapi';

/** Artifactory's `system/ping` (anonymous) and `system/version`. */
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
      middleware: [requireAuth(deps)] as const,
      responses: { 200: json(VersionReply, 'The version'), ...authErrors },
    }),
    (c) => c.json({ version: deps.version, revision: deps.revision, addons: [] }, 200),
  );

  return app;
}
