import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { ApiKeyReply, InfoReply } from '../../shared/schemas';
import { requireAuth } from '../auth/credentials';
import type { AppDeps } from '../deps';
import { createApiKey, readApiKey, regenerateApiKey, revokeAllApiKeys, revokeApiKey } from '../domain/apiKeys';
import { findUser } from '../domain/users';
import { httpError, unwrap } from '../http/errors';
import { authErrors, conflict, credentialSecurity, json, notFound, routeGroup } from './openapi';

/** Artifactory's API-key calls: create, get, regenerate, revoke (own, a user's, all). */
export function apiKeyRoutes(deps: AppDeps) {
  const app = routeGroup();
  const secrets = requireAuth(deps, { secrets: true });
  const base = { tags: ['API key'], security: credentialSecurity };

  app.openapi(
    createRoute({
      ...base,
      method: 'post',
      path: '/security/apiKey',
      summary: 'Create API Key',
      description: 'Fails with 409 when the user has a key already: regenerate it instead.',
      middleware: [secrets] as const,
      responses: { 200: json(ApiKeyReply, 'The new key'), ...authErrors, ...conflict },
    }),
    async (c) => {
      const { user } = c.var.principal;
      return c.json({ apiKey: unwrap(await createApiKey(deps, c.var.requestContext, user)) }, 200);
    },
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'get',
      path: '/security/apiKey',
      summary: 'Get API Key',
      description: '`{}` when the user has no key.',
      middleware: [secrets] as const,
      responses: { 200: json(ApiKeyReply, 'The key, or `{}`'), ...authErrors },
    }),
    async (c) => {
      const key = await readApiKey(deps, c.var.principal.user);
      return c.json(key ? { apiKey: key.apiKey } : {}, 200);
    },
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'put',
      path: '/security/apiKey',
      summary: 'Regenerate API Key',
      description: 'The old key is refused from the very next request.',
      middleware: [secrets] as const,
      responses: { 200: json(ApiKeyReply, 'The new key'), ...authErrors },
    }),
    async (c) => c.json({ apiKey: await regenerateApiKey(deps, c.var.requestContext, c.var.principal.user) }, 200),
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'delete',
      path: '/security/apiKey',
      summary: 'Revoke API Key, or all API keys (admin, `deleteAll=1`)',
      request: { query: z.object({ deleteAll: z.enum(['0', '1']).optional() }) },
      middleware: [secrets] as const,
      responses: { 200: json(InfoReply, 'Revoked'), ...authErrors },
    }),
    async (c) => {
      const { user } = c.var.principal;
      if (c.req.valid('query').deleteAll === '1') {
        if (!user.admin) throw httpError('FORBIDDEN', 'Only an administrator may revoke every API key');
        const count = await revokeAllApiKeys(deps, c.var.requestContext, user);
        return c.json({ info: `All API keys have been revoked (${count})` }, 200);
      }
      const revoked = await revokeApiKey(deps, c.var.requestContext, user, user);
      return c.json({ info: revoked ? 'API key revoked' : 'No API key to revoke' }, 200);
    },
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'delete',
      path: '/security/apiKey/{username}',
      summary: "Revoke User API Key (admin)",
      request: { params: z.object({ username: z.string() }) },
      middleware: [requireAuth(deps, { admin: true })] as const,
      responses: { 200: json(InfoReply, 'Revoked'), ...authErrors, ...notFound },
    }),
    async (c) => {
      const target = unwrap(await findUser(deps, c.req.valid('param').username));
      const revoked = await revokeApiKey(deps, c.var.requestContext, target, c.var.principal.user);
      return c.json({ info: revoked ? `API key of user '${target.name}' revoked` : `User '${target.name}' has no API key` }, 200);
    },
  );

  return app;
}
