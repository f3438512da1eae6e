import { createRoute } from '@hono/zod-openapi';
import { BintrayReply, BintrayTestReply, BintrayTestRequest, BintrayUpdateRequest, RevealedBintray } from '../../shared/schemas';
import { requireAuth } from '../auth/credentials';
import type { AppDeps } from '../deps';
import { readBintray, removeBintray, saveBintray, summariseBintray, testBintray } from '../domain/bintray';
import { httpError, unwrap } from '../http/errors';
import { authErrors, json, jsonBody, notFound, routeGroup, sessionSecurity } from './openapi';

/** The profile's Bintray user name and API key, with Test. */
export function bintrayRoutes(deps: AppDeps) {
  const app = routeGroup();
  const secrets = requireAuth(deps, { can: 'revealSecrets' });
  const changeDetails = requireAuth(deps, { can: 'changeOwnDetails' });
  const base = { tags: ['Bintray'], security: sessionSecurity };

  app.openapi(
    createRoute({
      ...base,
      method: 'get',
      path: '/profile/bintray',
      summary: 'Bintray credentials, masked',
      middleware: [requireAuth(deps, { can: 'readProfile' })] as const,
      responses: { 200: json(BintrayReply, 'The user name and the key masked, or null'), ...authErrors },
    }),
    async (c) => {
      const saved = await readBintray(deps, c.var.principal.user);
      return c.json({ bintray: saved ? summariseBintray(saved.credentials, saved.record) : null }, 200);
    },
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'put',
      path: '/profile/bintray',
      summary: 'Save Bintray credentials',
      description: 'The API key is sealed with the master key at rest.',
      request: jsonBody(BintrayUpdateRequest),
      middleware: [changeDetails] as const,
      responses: { 200: json(BintrayReply, 'Saved'), ...authErrors },
    }),
    async (c) => {
      const credentials = c.req.valid('json');
      const record = unwrap(await saveBintray(deps, c.var.requestContext, c.var.principal.user, credentials));
      return c.json({ bintray: summariseBintray(credentials, record) }, 200);
    },
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'delete',
      path: '/profile/bintray',
      summary: 'Remove Bintray credentials',
      middleware: [changeDetails] as const,
      responses: { 200: json(BintrayReply, 'Removed'), ...authErrors },
    }),
    async (c) => {
      unwrap(await removeBintray(deps, c.var.requestContext, c.var.principal.user));
      return c.json({ bintray: null }, 200);
    },
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'get',
      path: '/profile/bintray/apiKey',
      summary: 'Reveal the Bintray API key',
      middleware: [secrets] as const,
      responses: { 200: json(RevealedBintray, 'In clear'), ...authErrors, ...notFound },
    }),
    async (c) => {
      const saved = await readBintray(deps, c.var.principal.user);
      if (!saved) throw httpError('NOT_FOUND', 'You have no Bintray credentials saved');
      return c.json(saved.credentials, 200);
    },
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'post',
      path: '/profile/bintray/test',
      summary: 'Test Bintray credentials',
      description: `Asks the Bintray API (BINTRAY_API_URL) for GET /users/{username} with these credentials (fields left out come from the saved ones). The outcome is valid, invalid, unreachable or timeout.`,
      request: jsonBody(BintrayTestRequest),
      middleware: [secrets] as const,
      responses: { 200: json(BintrayTestReply, 'The outcome'), ...authErrors },
    }),
    async (c) => {
      const typed = c.req.valid('json');
      const saved = typed.username && typed.apiKey ? null : await readBintray(deps, c.var.principal.user);
      const username = typed.username ?? saved?.credentials.username;
      const apiKey = typed.apiKey ?? saved?.credentials.apiKey;
      if (!username || !apiKey) throw httpError('BAD_REQUEST', 'Enter a Bintray user name and API key to test');
      return c.json(await testBintray(deps.bintray.apiUrl, { username, apiKey }, { timeoutMs: deps.bintray.timeoutMs }), 200);
    },
  );

  return app;
}
