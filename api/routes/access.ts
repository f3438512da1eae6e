import { createRoute } from '@hono/zod-openapi';
import { AccessVersionReply } from '../../shared/schemas';
import { requireAuth } from '../auth/credentials';
import type { AppDeps } from '../deps';
import { authErrors, credentialSecurity, json, text, routeGroup } from './openapi';

/**
 * JFrog Access's system calls, under `/access/api/v1` (beside Artifactory's `/artifactory/api`): the
 * Terraform provider and JFrog's clients ask them before token calls. Tokens have a group of their own.
 */
export function accessSystemRoutes(deps: AppDeps) {
  const app = routeGroup();
  // Access reports its build time; Keyfob has none, so it gives the moment this instance started.
  const startedAt = new Date(deps.clock.now()).toISOString();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/system/ping',
      tags: ['System'],
      summary: 'Access ping: `OK` when Keyfob is ready',
      responses: { 200: text('OK') },
    }),
    (c) => c.text('OK'),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/system/version',
      tags: ['System'],
      summary: 'Access version',
      description: 'The version is in `name`, where terraform-provider-shared reads it (and in `version`).',
      security: credentialSecurity,
      middleware: [requireAuth(deps, { can: 'identify' })] as const,
      responses: { 200: json(AccessVersionReply, 'The version'), ...authErrors },
    }),
    (c) => c.json({ name: deps.version, version: deps.version, revision: deps.revision, timestamp: startedAt }, 200),
  );

  return app;
}
