import { createRoute } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { Hono } from 'hono';
import { z } from 'zod';
import { ERROR_STATUS } from '../../shared/errors';
import {
  ErrorReply,
  OAuthBindApproval,
  OAuthBindApprovalReply,
  OAuthClaimRequest,
  OAuthIdentityList,
  OAuthProviderList,
  OAuthStartReply,
  SessionReply,
} from '../../shared/schemas';
import { requireAuth, type AppEnv } from '../auth/credentials';
import type { AppDeps } from '../deps';
import {
  admitSignInStart,
  approveBindAsStarter,
  claimSignIn,
  confirmBindOnPage,
  describeFinished,
  handleCallback,
  listBoundIdentities,
  OAUTH_CALLBACK_PATH,
  OAUTH_FINISHED_PATH,
  SIGN_IN_STARTS_PER_ADDRESS,
  startBind,
  startSignIn,
  unbind,
  type FinishedView,
} from '../domain/oauth';
import type { Failure } from '../domain/result';
import { SAML_ACS_PATH, SAML_METADATA_PATH, SAML_PROVIDER_ID, handleSamlResponse, startSamlSignIn } from '../domain/saml';
import { unwrap } from '../http/errors';
import { escapeHtml } from '../http/html';
import { authErrors, json, jsonBody, notFound, routeGroup, sessionSecurity } from './openapi';
import { sessionReply } from './session';

const rateLimited = { 429: json(ErrorReply, 'Too many sign-ins started from this address: see Retry-After') } as const;

const ProviderParam = z.object({
  provider: z
    .string()
    .max(64)
    .meta({ param: { name: 'provider', in: 'path' } }),
});

// No script at all; the one form (a bind's confirmation) posts back to this origin only.
const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

function resultPage(title: string, text: string, ok: boolean, extra = ''): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin"><title>${escapeHtml(title)}</title>
<style>:root{color-scheme:light dark;font:15px/1.45 system-ui,sans-serif}body{max-width:28rem;margin:3rem auto;padding:0 1rem}.ok{color:#1b7f3b}.error{color:#c62828}button{font:inherit;font-weight:600;padding:.5rem 1rem}</style>
</head><body><h1>${escapeHtml(title)}</h1><p id="result" class="${ok ? 'ok' : 'error'}">${escapeHtml(text)}</p>${extra}</body></html>`;
}

const NOT_YOURS = 'If you did not start this from your own Keyfob, close this tab: whoever sent you the link gets nothing from it.';

/** The finished page for a completion code, as it stands. */
function finishedPage(view: FinishedView, code: string): string {
  const note = (text: string) => `<p>${escapeHtml(text)}</p>`;
  switch (view.kind) {
    case 'signed-in':
      return resultPage('Signed in', `Signed in to Keyfob as ${view.userName} with ${view.providerName}: return to Keyfob.`, true, note(NOT_YOURS));
    case 'confirm-bind': {
      const account = `${view.subject}${view.email ? ` (${view.email})` : ''}`;
      const form = `<form method="post" action="${OAUTH_FINISHED_PATH}?code=${escapeHtml(code)}"><button type="submit">Bind to ${escapeHtml(view.userName)}</button></form>`;
      return resultPage(
        'Bind this account?',
        `Bind your ${view.providerName} account ${account} to the Keyfob account ${view.userName}? Whoever uses ${view.userName} could then sign in with it.`,
        true,
        form + note(`Confirm only if ${view.userName} is your own Keyfob account and you started this from your Keyfob. ${NOT_YOURS}`),
      );
    }
    case 'bind-waiting':
      return resultPage(
        'Confirmed',
        `Confirmed. The bind to ${view.userName} completes once the Keyfob that started it approves it too: open Keyfob to see it.`,
        true,
      );
    case 'bound':
      return resultPage('Account bound', `Your ${view.providerName} account is now bound to ${view.userName}. You can close this tab.`, true);
  }
}

/** A page for a browser tab, not an API answer: no 401, whose challenge means nothing to the tab. */
function failurePage(c: Context<AppEnv>, failure: Failure) {
  const status = ERROR_STATUS[failure.code] === 401 ? 403 : ERROR_STATUS[failure.code];
  return c.html(resultPage('Keyfob could not finish this', failure.message, false), status as 400);
}

// No referrer leaves for another origin (the URLs carry codes); not no-referrer, under which the browser
// sends the bind's confirmation with `Origin: null`, which the cross-site guard rightly refuses.
const pageHeaders = (c: Context<AppEnv>) => {
  c.header('content-security-policy', PAGE_CSP);
  c.header('referrer-policy', 'same-origin');
};

/** Sends the provider's tab on to the finished page, which carries the completion code for it alone. */
const toFinished = (c: Context<AppEnv>, code: string) => c.redirect(`${OAUTH_FINISHED_PATH}?code=${encodeURIComponent(code)}`, 303);

/** OAuth (OpenID Connect) account binding and sign-in, and the callback page providers send users back to. */
export function oauthRoutes(deps: AppDeps) {
  const app = routeGroup();
  const base = { tags: ['OAuth'] };

  app.openapi(
    createRoute({
      ...base,
      method: 'get',
      path: '/oauth/providers',
      summary: 'Configured providers',
      responses: { 200: json(OAuthProviderList, 'The providers') },
    }),
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
      description:
        'From an unlocked session; the flow is tied to it. Open the URL in a browser tab. When the tab lands on `/api/v1/oauth/finished?code=…`, ' +
        'the user confirms there and this session approves with that code at /oauth/approve: the identity is bound only with both.',
      security: sessionSecurity,
      request: { params: ProviderParam },
      middleware: [requireAuth(deps, { can: 'manageSignInMethods' })] as const,
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
      description:
        'Open the URL in a browser tab and keep the claim. When that tab lands on `/api/v1/oauth/finished?code=…`, read the code from its URL ' +
        `and collect the session with the claim and the code at /oauth/claim. At most ${SIGN_IN_STARTS_PER_ADDRESS} starts per address in 10 minutes.`,
      request: { params: ProviderParam },
      responses: { 200: json(OAuthStartReply, 'Where to send the user, and the claim'), ...notFound, ...rateLimited },
    }),
    async (c) => {
      const { provider } = c.req.valid('param');
      unwrap(await admitSignInStart(deps, c.var.requestContext));
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
      description:
        '202 while the user is still at the provider; then the session, once, for the claim together with the completion code of the tab ' +
        'that came back (then 404). Without the right code, 403, and the sign-in is over.',
      request: jsonBody(OAuthClaimRequest),
      responses: {
        200: json(SessionReply, 'Signed in'),
        202: json(z.object({ info: z.string() }), 'Not yet'),
        403: json(ErrorReply, 'No code, or the code of another tab'),
        ...notFound,
      },
    }),
    async (c) => {
      const { claim, code } = c.req.valid('json');
      const result = unwrap(await claimSignIn(deps, c.var.requestContext, claim, code));
      if (result === 'pending') return c.json({ info: 'Waiting for the provider' }, 202);
      return c.json(await sessionReply(deps, result), 200);
    },
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'post',
      path: '/oauth/approve',
      summary: 'Approve a bind, as the session that started it',
      description:
        'With the completion code read from the tab this session opened. The identity is bound once the user has also confirmed on the page ' +
        'in that tab: `waiting` until then.',
      security: sessionSecurity,
      request: jsonBody(OAuthBindApproval),
      // Any state of the starting session: it was unlocked to start the bind, and only it may approve.
      middleware: [requireAuth(deps, { can: 'readProfile' })] as const,
      responses: { 200: json(OAuthBindApprovalReply, 'Bound, or waiting for the confirmation on the page'), ...authErrors, ...notFound },
    }),
    async (c) => {
      const status = unwrap(await approveBindAsStarter(deps, c.var.requestContext, c.var.principal, c.req.valid('json').code));
      return c.json({ status }, 200);
    },
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'get',
      path: '/profile/oauth',
      summary: 'Bound accounts',
      security: sessionSecurity,
      middleware: [requireAuth(deps, { can: 'readProfile' })] as const,
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
      middleware: [requireAuth(deps, { can: 'manageSignInMethods' })] as const,
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

/**
 * The pages of the provider's tab: the callback (checks the answer, then sends the tab on to the finished
 * page with its completion code), SAML's assertion consumer (the same), and the finished page itself.
 */
export function oauthCallbackPage(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  app.get(OAUTH_CALLBACK_PATH, async (c) => {
    pageHeaders(c);
    const result = await handleCallback(deps, c.var.requestContext, new URL(c.req.url));
    return result.ok ? toFinished(c, result.value.code) : failurePage(c, result);
  });

  // SAML's HTTP-POST binding: the identity provider's page posts a form here (not JSON).
  app.post(SAML_ACS_PATH, async (c) => {
    pageHeaders(c);
    const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    const samlResponse = typeof form.SAMLResponse === 'string' ? form.SAMLResponse : '';
    const relayState = typeof form.RelayState === 'string' ? form.RelayState : '';
    const result = await handleSamlResponse(deps, c.var.requestContext, samlResponse, relayState);
    // 303: the browser follows with a GET, so a reload of the finished page posts nothing again.
    return result.ok ? toFinished(c, result.value.code) : failurePage(c, result);
  });

  app.get(OAUTH_FINISHED_PATH, async (c) => {
    pageHeaders(c);
    const code = c.req.query('code') ?? '';
    const view = await describeFinished(deps, code);
    return view.ok ? c.html(finishedPage(view.value, code)) : failurePage(c, view);
  });
  // A bind's confirmation: the page's form, same origin, empty body (the code is in the URL it posts to).
  app.post(OAUTH_FINISHED_PATH, async (c) => {
    pageHeaders(c);
    const code = c.req.query('code') ?? '';
    const view = await confirmBindOnPage(deps, c.var.requestContext, code);
    return view.ok ? c.html(finishedPage(view.value, code)) : failurePage(c, view);
  });

  app.get(SAML_METADATA_PATH, (c) => {
    if (!deps.saml) return c.notFound();
    return c.body(deps.saml.metadata(), 200, { 'content-type': 'application/samlmetadata+xml' });
  });
  return app;
}
