/**
 * The Keyfob API as a Hono app, built from its dependencies. Web standards only: every runtime's entry
 * (Node, Bun, Deno, Workers) calls this with its own database, hasher and master key.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { requestContext, type AppEnv } from './auth/credentials';
import type { AppDeps } from './deps';
import { refuseCrossSite } from './http/crossSite';
import { createErrorHandler, errorResponse, SECURITY_HEADERS } from './http/errors';
import { requireKnownHost } from './http/hosts';
import { accessSystemRoutes } from './routes/access';
import { accountRoutes } from './routes/account';
import { SAML_ACS_PATH } from './domain/saml';
import { oauthCallbackPage, oauthRoutes } from './routes/oauth';
import { apiKeyRoutes } from './routes/apiKey';
import { bintrayRoutes } from './routes/bintray';
import { leakReportRoutes } from './routes/leaks';
import { renderDocsPage } from './routes/docs';
import { resetPageRoutes } from './routes/resetPage';
import { profileRoutes } from './routes/profile';
import { securityRoutes } from './routes/security';
import { groupRoutes } from './routes/groups';
import { sessionRoutes } from './routes/session';
import { sshKeyRoutes } from './routes/sshKeys';
import { systemRoutes } from './routes/system';
import { userRoutes } from './routes/users';
import { accessTokenRoutes, legacyTokenRoutes, TOKEN_FORM_PATHS, tokenAdminRoutes } from './routes/tokens';
import { testClockRoutes } from './testing/testClock';

const BEARER_CHALLENGE = 'Bearer realm="Keyfob"';
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

export function createApp(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>();
  app.onError(createErrorHandler(deps.log));
  app.notFound(() => errorResponse('NOT_FOUND', 'No such resource'));

  const setSecurityHeaders = deps.setHeaderAtServer === null;
  app.use('*', async function keyfobRequest(c, next) {
    c.set('requestContext', requestContext(c, deps));
    // Set before the handler runs, so they are part of the response it makes: changing a response after
    // the fact makes Node's adapter stream it (slow) and can lose its default content type on Bun.
    // Error responses carry the same headers from errorResponse().
    if (setSecurityHeaders) for (const [name, value] of SECURITY_HEADERS) c.header(name, value);
    await next();
  });

  if (deps.logRequests) {
    app.use('*', async function requestLog(c, next) {
      const started = performance.now();
      await next();
      // The path only: query strings and headers never reach the log. deps.log escapes the control
      // characters a decoded path can hold (see escapingLog).
      deps.log(`${c.req.method} ${c.req.path} ${c.res.status} ${(performance.now() - started).toFixed(1)}ms`);
    });
  }

  if (deps.hosts) app.use('*', requireKnownHost(deps.hosts));
  app.use(
    '*',
    refuseCrossSite({
      // The public URL, or where Keyfob was found to listen; the origin the request came to is checked too.
      ownOrigins: () => [deps.settings.publicUrl],
      exempt: [SAML_ACS_PATH],
    }),
  );

  // Only where a body can come: reading c.req.raw on a GET makes the Node adapter build a whole Request.
  const limitBody = bodyLimit({
    maxSize: deps.bodyLimitBytes,
    onError: () => errorResponse('PAYLOAD_TOO_LARGE', `Request bodies are limited to ${deps.bodyLimitBytes} bytes`),
  });
  app.use('*', (c, next) => (BODY_METHODS.has(c.req.method) ? limitBody(c, next) : next()));

  // Every body Keyfob reads is JSON; say so plainly rather than read a form as an empty object.
  app.use('*', async function jsonBodiesOnly(c, next) {
    // SAML's HTTP-POST binding is a form post by definition; JFrog's token calls take forms too.
    if (!BODY_METHODS.has(c.req.method) || c.req.path === SAML_ACS_PATH || TOKEN_FORM_PATHS.has(c.req.path)) return next();
    const hasBody = c.req.header('content-length') ? c.req.header('content-length') !== '0' : c.req.header('transfer-encoding') !== undefined;
    if (hasBody && !JSON_TYPE.test(c.req.header('content-type') ?? '')) {
      return errorResponse('UNSUPPORTED_MEDIA_TYPE', 'Send the request body as JSON (Content-Type: application/json)');
    }
    await next();
  });

  if (deps.testClock) app.route('/', testClockRoutes(deps.testClock));
  for (const group of [systemRoutes, apiKeyRoutes, securityRoutes, userRoutes, legacyTokenRoutes]) app.route('/artifactory/api', group(deps));
  app.route('/artifactory/api', groupRoutes(deps));
  // Access's own system calls (ping, version), beside its token calls.
  app.route('/access/api/v1', accessSystemRoutes(deps));
  // JFrog's Access API; also under /artifactory, where clients given the Artifactory URL (pyartifactory) look for it.
  app.route('/access/api/v1', accessTokenRoutes(deps));
  app.route('/artifactory/access/api/v1', accessTokenRoutes(deps));
  // The extension calls these with fetch(): a Basic challenge would make the browser raise its own
  // login prompt (and the fetch wait on it), so Keyfob's own calls challenge for Bearer instead.
  app.use('/api/v1/*', async function bearerChallenge(c, next) {
    await next();
    if (c.res.status === 401) c.res.headers.set('www-authenticate', BEARER_CHALLENGE);
  });
  // The callback is a page for a browser tab, not a JSON call: mounted before the JSON groups.
  app.route('/', oauthCallbackPage(deps));
  for (const group of [sessionRoutes, profileRoutes, accountRoutes, sshKeyRoutes, bintrayRoutes, oauthRoutes, tokenAdminRoutes, leakReportRoutes])
    app.route('/api/v1', group(deps));

  app.openAPIRegistry.registerComponent('securitySchemes', 'apiKeyHeader', { type: 'apiKey', in: 'header', name: 'X-JFrog-Art-Api' });
  app.openAPIRegistry.registerComponent('securitySchemes', 'basic', {
    type: 'http',
    scheme: 'basic',
    description: 'user:password, user:API key, or user:encrypted password',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', description: 'A Keyfob session token' });

  const document = () =>
    app.getOpenAPI31Document({
      openapi: '3.1.0',
      info: {
        title: 'Keyfob',
        version: deps.version,
        description: "Artifactory's profile and API-key REST contract under /artifactory/api, and Keyfob's own calls for the extension under /api/v1.",
      },
    });
  app.get('/openapi.json', (c) => c.json(document()));
  app.get('/docs', (c) => c.html(renderDocsPage(document())));
  app.route('/', resetPageRoutes(deps));
  app.get('/', (c) => c.redirect('/docs'));

  return app;
}
