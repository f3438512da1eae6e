import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { ApiKeyReply, InfoReply } from '../../shared/schemas';
import { authorize, requireAuth } from '../auth/credentials';
import type { AppDeps } from '../deps';
import { createApiKey, readApiKey, readApiKeyAsAdmin, regenerateApiKey, revokeAllApiKeys, revokeApiKey } from '../domain/apiKeys';
import { findUser } from '../domain/users';
import { unwrap } from '../http/errors';
import { authErrors, conflict, credentialSecurity, json, notFound, routeGroup } from './openapi';

/** Artifactory's API-key calls: create, get, regenerate, revoke (own, a user's, all). */
export function apiKeyRoutes(deps: AppDeps) {
  const app = routeGroup();
  const secrets = requireAuth(deps, { can: 'revealSecrets' });
  const manageKey = requireAuth(deps, { can: 'manageApiKey' });
  const base = { tags: ['API key'], security: credentialSecurity };

  app.openapi(
    createRoute({
      ...base,
      method: 'post',
      path: '/security/apiKey',
      summary: 'Create API Key',
      description:
        "201, as Artifactory's server answers (jfrog-client-go accepts nothing else). Fails with 409 when the user has a key already: regenerate it instead.",
      middleware: [manageKey] as const,
      responses: { 201: json(ApiKeyReply, 'The new key'), ...authErrors, ...conflict },
    }),
    async (c) => {
      const { user } = c.var.principal;
      return c.json({ apiKey: unwrap(await createApiKey(deps, c.var.requestContext, user)).apiKey }, 201);
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
      description: 'The old key is refused from the very next request. A request authenticated by the key itself gets 403.',
      middleware: [manageKey] as const,
      responses: { 200: json(ApiKeyReply, 'The new key'), ...authErrors },
    }),
    async (c) => c.json({ apiKey: unwrap(await regenerateApiKey(deps, c.var.requestContext, c.var.principal.user)).apiKey }, 200),
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'delete',
      path: '/security/apiKey',
      summary: 'Revoke API Key, or all API keys (admin, `deleteAll=1`)',
      request: { query: z.object({ deleteAll: z.enum(['0', '1']).optional() }) },
      // Which permission applies depends on the query: an admin's key may revoke every key, not itself.
      middleware: [requireAuth(deps, { can: 'identify' })] as const,
      responses: { 200: json(InfoReply, 'Revoked'), ...authErrors },
    }),
    async (c) => {
      const { user } = c.var.principal;
      if (c.req.valid('query').deleteAll === '1') {
        authorize(deps, c.var.principal, 'adminChange');
        const count = await revokeAllApiKeys(deps, c.var.requestContext, user);
        return c.json({ info: `All API keys have been revoked (${count})` }, 200);
      }
      authorize(deps, c.var.principal, 'manageApiKey');
      const revoked = await revokeApiKey(deps, c.var.requestContext, user, user);
      return c.json({ info: revoked ? 'API key revoked' : 'No API key to revoke' }, 200);
    },
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'get',
      path: '/security/apiKey/{username}',
      summary: 'Get User API Key (admin)',
      description:
        "Another user's key, `{}` when they have none. It reveals a secret: an admin change (another admin's key: the password or an unlocked session only), recorded in that user's activity.",
      request: { params: z.object({ username: z.string() }) },
      middleware: [requireAuth(deps, { can: 'adminChange' })] as const,
      responses: { 200: json(ApiKeyReply, 'The key, or `{}`'), ...authErrors, ...notFound },
    }),
    async (c) => {
      const target = unwrap(await findUser(deps, c.req.valid('param').username));
      // Another admin's key would outlast the revocation of the caller's own credential, with admin powers:
      // as for granting admin, only the password or an unlock may.
      if (target.admin && target.id !== c.var.principal.user.id) authorize(deps, c.var.principal, 'adminPowers');
      const key = await readApiKeyAsAdmin(deps, c.var.requestContext, target, c.var.principal.user);
      return c.json(key ? { apiKey: key } : {}, 200);
    },
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'delete',
      path: '/security/apiKey/{username}',
      summary: 'Revoke User API Key (admin)',
      request: { params: z.object({ username: z.string() }) },
      middleware: [requireAuth(deps, { can: 'adminChange' })] as const,
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
