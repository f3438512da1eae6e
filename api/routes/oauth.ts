import { createRoute } from '@hono/zod-openapi';
import { Hono } from 'hono';
import { z } from 'zod';
import { OAuthClaimRequest, OAuthIdentityList, OAuthProviderList, OAuthStartReply, SessionReply } from '../../shared/schemas';
import { requireAuth, type AppEnv } from '../auth/credentials';
import type { AppDeps } from '../deps';
import { claimSignIn, handleCallback, listBoundIdentities, OAUTH_CALLBACK_PATH, startBind, startSignIn, unbind } from '../domain/oauth';
import { SAML_ACS_PATH, SAML_METADATA_PATH, SAML_PROVIDER_ID, handleSamlResponse, startSamlSignIn } from '../domain/saml';
import { unwrap } from '../http/errors';
import { authErrors, json, jsonBody, notFound, routeGroup, sessionSecurity } from './openapi';
import { sessionReply } from './session';
import { escapeHtml } from '../http/html';

const ProviderParam = z.object({ provider: z.string().max(64).meta({ param: { name: 'provider', in: 'path' } }) });

const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

function resultPage(title: string, text: string, ok: boolean): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>${escapeHtml(title)}</title>
<style>:root{color-scheme:light dark;font:15px/1.45 system-ui,sans-serif}body{max-width:28rem;margin:3rem auto;padding:0 1rem}.ok{color:#1b7f3b}.error{color:#c62828}</style>
</head><body><h1>${escapeHtml(title)}</h1><p id="result" class="${ok ? 'ok' : 'error'}">${escapeHtml(text)}</p></body></html>`;
}

/** OAuth (OpenID Connect) account binding and sign-in, and the callback page providers send users back to. */
export function oauthRoutes(deps: AppDeps) {
  const app = routeGroup();
  const base = { tags: ['OAuth'] };

  app.openapi(
    createRoute({ ...base, method: 'get', path: '/oauth/providers', summary: 'Configured providers', responses: { 200: json(OAuthProviderList, 'The providers') } }),
    (c) =>
      c.json(
        {
          providers: [
            ...[...deps.oauthProviders.values()].map(({ config }) => ({ id: config.id, name: config.name, kind: 'oidc' as const })),
            ...(deps.saml ? [{ id: SAML_PROVIDER_ID, name: deps.saml.name, kind: 'saml' as const }] : []),
          ],
        },
        200,
      ),
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'post',
      path: '/oauth/{provider}/bind',
      summary: 'Start binding an account',
      description: 'From an unlocked session; the flow is tied to it. Open the URL in a browser tab.',
      security: sessionSecurity,
      request: { params: ProviderParam },
      middleware: [requireAuth(deps, { secrets: true })] as const,
      responses: { 200: json(OAuthStartReply, 'Where to send the user'), ...authErrors, ...notFound },
    }),
    async (c) => c.json(unwrap(await startBind(deps, c.var.principal, c.req.valid('param').provider)), 200),
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'post',
      path: '/oauth/{provider}/signIn',
      summary: 'Start signing in with a provider',
      description: 'Open the URL in a browser tab, keep the claim, and collect the session with it once the provider sends the user back.',
      request: { params: ProviderParam },
      responses: { 200: json(OAuthStartReply, 'Where to send the user, and the claim'), ...notFound },
    }),
    async (c) => {
      const { provider } = c.req.valid('param');
      // SAML signs in through the same start-and-claim steps as OpenID Connect.
      return c.json(unwrap(provider === SAML_PROVIDER_ID ? await startSamlSignIn(deps) : await startSignIn(deps, provider)), 200);
    },
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'post',
      path: '/oauth/claim',
      summary: 'Collect the session of a finished sign-in',
      description: '202 while the user is still at the provider; the session once (then 404).',
      request: jsonBody(OAuthClaimRequest),
      responses: { 200: json(SessionReply, 'Signed in'), 202: json(z.object({ info: z.string() }), 'Not yet'), ...notFound },
    }),
    async (c) => {
      const result = unwrap(await claimSignIn(deps, c.req.valid('json').claim));
      if (result === 'pending') return c.json({ info: 'Waiting for the provider' }, 202);
      return c.json(await sessionReply(deps, result), 200);
    },
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'get',
      path: '/profile/oauth',
      summary: 'Bound accounts',
      security: sessionSecurity,
      middleware: [requireAuth(deps)] as const,
      responses: { 200: json(OAuthIdentityList, 'The bound identities'), ...authErrors },
    }),
    async (c) => c.json({ identities: await listBoundIdentities(deps, c.var.principal.user) }, 200),
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'delete',
      path: '/profile/oauth/{provider}',
      summary: 'Unbind an account',
      security: sessionSecurity,
      request: { params: ProviderParam },
      middleware: [requireAuth(deps, { secrets: true })] as const,
      responses: { 200: json(OAuthIdentityList, 'The bound identities left'), ...authErrors, ...notFound },
    }),
    async (c) => {
      const { user } = c.var.principal;
      unwrap(await unbind(deps, c.var.requestContext, user, c.req.valid('param').provider));
      return c.json({ identities: await listBoundIdentities(deps, user) }, 200);
    },
  );

  return app;
}

/** The page the provider sends the user back to: it finishes the flow and says how it went. */
export function oauthCallbackPage(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  app.get(OAUTH_CALLBACK_PATH, async (c) => {
    c.header('content-security-policy', PAGE_CSP);
    c.header('referrer-policy', 'no-referrer');
    const result = await handleCallback(deps, c.var.requestContext, new URL(c.req.url));
    if (!result.ok) return c.html(resultPage('Keyfob could not finish this', result.message, false), result.code === 'CONFLICT' ? 409 : 400);
    const { kind, providerName, user } = result.value;
    return kind === 'bound'
      ? c.html(resultPage('Account bound', `Your ${providerName} account is now bound to ${user.name}. You can close this tab.`, true))
      : c.html(resultPage('Signed in', `Signed in to Keyfob as ${user.name} with ${providerName}. Open Keyfob again from the toolbar.`, true));
  });

  // SAML's HTTP-POST binding: the identity provider's page posts a form here (not JSON).
  app.post(SAML_ACS_PATH, async (c) => {
    c.header('content-security-policy', PAGE_CSP);
    c.header('referrer-policy', 'no-referrer');
    const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    const samlResponse = typeof form.SAMLResponse === 'string' ? form.SAMLResponse : '';
    const relayState = typeof form.RelayState === 'string' ? form.RelayState : '';
    const result = await handleSamlResponse(deps, c.var.requestContext, samlResponse, relayState);
    if (!result.ok) return c.html(resultPage('Keyfob could not finish this', result.message, false), 400);
    return c.html(resultPage('Signed in', `Signed in to Keyfob as ${result.value.name} with ${deps.saml?.name}. Open Keyfob again from the toolbar.`, true));
  });
  app.get(SAML_METADATA_PATH, (c) => {
    if (!deps.saml) return c.notFound();
    return c.body(deps.saml.metadata(), 200, { 'content-type': 'application/samlmetadata+xml' });
  });
  return app;
}
