import { createRoute } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { z } from 'zod';
import { AccessTokenInfo, AccessTokenList, InfoReply, IssuedTokenReply, TokenPolicy, TokenRequestBody } from '../../shared/schemas';
import { requireAuth, resolvePrincipal, type AppEnv } from '../auth/credentials';
import type { AppDeps } from '../deps';
import type { Principal } from '../domain/credentials';
import {
  createToken,
  describeToken,
  findTokenByValue,
  findVisibleToken,
  getTokenPolicy,
  listTokens,
  refreshToken,
  revokeToken,
  revokeTokensOf,
  setTokenPolicy,
  type IssuedToken,
} from '../domain/tokens';
import { findUser } from '../domain/users';
import { httpError, unwrap } from '../http/errors';
import { authErrors, credentialSecurity, json, jsonBody, notFound, text, routeGroup } from './openapi';

/** Token calls take JSON or a form (JFrog documents both, and its CLI and dohq send forms). */
export const TOKEN_FORM_PATHS = new Set([
  '/access/api/v1/tokens',
  '/access/api/v1/tokens/revoke',
  '/artifactory/access/api/v1/tokens',
  '/artifactory/access/api/v1/tokens/revoke',
  '/artifactory/api/security/token',
  '/artifactory/api/security/token/revoke',
]);

async function readBody(c: Context<AppEnv>): Promise<Record<string, unknown>> {
  const type = c.req.header('content-type') ?? '';
  try {
    if (/^application\/x-www-form-urlencoded|^multipart\/form-data/i.test(type)) {
      const form = await c.req.parseBody();
      return Object.fromEntries(Object.entries(form).filter(([, v]) => typeof v === 'string'));
    }
    const raw = await c.req.text();
    if (raw.trim() === '') return {};
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    return parsed as Record<string, unknown>;
  } catch {
    throw httpError('BAD_REQUEST', 'Send the token request as a JSON object or as a form');
  }
}

async function tokenRequest(c: Context<AppEnv>): Promise<TokenRequestBody> {
  const parsed = TokenRequestBody.safeParse(await readBody(c));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw httpError('BAD_REQUEST', `Invalid token request: ${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'malformed'}`);
  }
  return parsed.data;
}

function reply(issued: IssuedToken): IssuedTokenReply {
  return {
    token_id: issued.tokenId,
    access_token: issued.accessToken,
    ...(issued.expiresIn === undefined ? {} : { expires_in: issued.expiresIn }),
    scope: issued.scope,
    token_type: issued.tokenType,
    ...(issued.refreshToken ? { refresh_token: issued.refreshToken } : {}),
    ...(issued.referenceToken ? { reference_token: issued.referenceToken } : {}),
  };
}

/**
 * Create or refresh, as both token endpoints do. A refresh is authenticated by its refresh token alone
 * (the CLI sends the expired access token, or nothing, beside it).
 */
async function createOrRefresh(deps: AppDeps, c: Context<AppEnv>, body: TokenRequestBody, defaultScope?: string): Promise<IssuedToken> {
  if (body.grant_type === 'refresh_token') {
    if (!body.refresh_token) throw httpError('BAD_REQUEST', 'grant_type=refresh_token needs refresh_token');
    return unwrap(await refreshToken(deps, c.var.requestContext, body.refresh_token, body.access_token, body.overlap_seconds));
  }
  const principal = await resolvePrincipal(deps, c, { can: 'manageTokens' });
  return unwrap(
    await createToken(deps, c.var.requestContext, principal, {
      username: body.username,
      scope: body.scope ?? defaultScope,
      // The CLI's "not given" is -1.
      expiresIn: body.expires_in === undefined || body.expires_in < 0 ? undefined : body.expires_in,
      refreshable: body.refreshable,
      description: body.description,
      audience: body.audience,
      includeReferenceToken: body.include_reference_token,
    }),
  );
}

async function describeAll(deps: AppDeps, principal: Principal, username?: string) {
  return unwrap(await listTokens(deps, principal, username)).map(({ token, owner, usage }) => describeToken(token, owner, usage));
}

const TOKEN_BODY_DESCRIPTION =
  'JSON or `application/x-www-form-urlencoded`: `grant_type` (`client_credentials`, or `refresh_token` with `refresh_token`), `username`, `scope`, `expires_in` (seconds; 0: never, where allowed), `refreshable`, `description`, `audience`, `include_reference_token`.';

/** JFrog's Access Tokens API (`/access/api/v1/tokens`). */
export function accessTokenRoutes(deps: AppDeps) {
  const app = routeGroup();
  const base = { tags: ['Tokens'], security: credentialSecurity };
  const manage = requireAuth(deps, { can: 'manageTokens' });

  app.openapi(
    createRoute({
      ...base,
      method: 'post',
      path: '/tokens',
      summary: 'Create Token, or refresh one',
      description: TOKEN_BODY_DESCRIPTION,
      responses: { 200: json(IssuedTokenReply, 'The token, shown this once'), ...authErrors, ...notFound },
    }),
    async (c) => c.json(reply(await createOrRefresh(deps, c, await tokenRequest(c))), 200),
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'get',
      path: '/tokens',
      summary: 'Get Tokens',
      description: "Your tokens; an admin sees everyone's, or one user's with `username`.",
      request: { query: z.object({ username: z.string().max(256).optional() }) },
      middleware: [manage] as const,
      responses: { 200: json(AccessTokenList, 'Live tokens, newest first'), ...authErrors },
    }),
    async (c) => c.json({ tokens: await describeAll(deps, c.var.principal, c.req.valid('query').username) }, 200),
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'get',
      path: '/tokens/me',
      summary: 'Get the token of this request',
      middleware: [requireAuth(deps, { can: 'identify' })] as const,
      responses: { 200: json(AccessTokenInfo, 'The token'), ...authErrors, ...notFound },
    }),
    (c) => {
      const { accessToken, user } = c.var.principal;
      if (!accessToken) throw httpError('NOT_FOUND', 'This request was not made with an access token');
      return c.json(describeToken(accessToken, user), 200);
    },
  );

  // Before /tokens/{id}: "revoke" is not an id.
  app.openapi(
    createRoute({
      ...base,
      method: 'delete',
      path: '/tokens/revoke',
      summary: 'Revoke Token by value',
      description: 'Body `{"token": "…"}` (or a form).',
      middleware: [manage] as const,
      responses: { 200: json(z.object({ 'revoked-token-id': z.string() }), 'Revoked'), ...authErrors, ...notFound },
    }),
    async (c) => {
      const value = (await readBody(c)).token;
      if (typeof value !== 'string' || value.length === 0 || value.length > 8192) throw httpError('BAD_REQUEST', 'Give the token to revoke as "token"');
      const token = await findTokenByValue(deps, value);
      if (!token || !(await revokeToken(deps, c.var.requestContext, c.var.principal, token))) throw httpError('NOT_FOUND', 'No such live token of yours');
      return c.json({ 'revoked-token-id': token.id }, 200);
    },
  );

  const IdParam = z.object({
    id: z
      .string()
      .max(64)
      .meta({ param: { name: 'id', in: 'path' } }),
  });
  app.openapi(
    createRoute({
      ...base,
      method: 'get',
      path: '/tokens/{id}',
      summary: 'Get Token by ID',
      request: { params: IdParam },
      middleware: [manage] as const,
      responses: { 200: json(AccessTokenInfo, 'The token'), ...authErrors, ...notFound },
    }),
    async (c) => {
      const token = await findVisibleToken(deps, c.var.principal, c.req.valid('param').id);
      if (!token) throw httpError('NOT_FOUND', 'No such token');
      const owner = token.userId === c.var.principal.user.id ? c.var.principal.user : await deps.store.findUserById(token.userId);
      if (!owner) throw httpError('NOT_FOUND', 'No such token');
      return c.json(describeToken(token, owner), 200);
    },
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'delete',
      path: '/tokens/{id}',
      summary: 'Revoke Token by ID',
      description: '200 when revoked; 204 when there is no such live token of yours (already revoked, say), as JFrog answers.',
      request: { params: IdParam },
      middleware: [manage] as const,
      responses: { 200: text('Revoked'), 204: { description: 'Nothing to revoke' }, ...authErrors },
    }),
    async (c) => {
      const id = c.req.valid('param').id;
      const revoked = await revokeToken(deps, c.var.requestContext, c.var.principal, await deps.store.findAccessToken(id));
      return revoked ? c.text('Token revoked', 200) : c.body(null, 204);
    },
  );

  return app;
}

/** Artifactory's older token calls (`/artifactory/api/security/token`), which the CLI's set-up and dohq use. */
export function legacyTokenRoutes(deps: AppDeps) {
  const app = routeGroup();
  const base = { tags: ['Tokens'], security: credentialSecurity };

  app.openapi(
    createRoute({
      ...base,
      method: 'post',
      path: '/security/token',
      summary: 'Create Token (Artifactory), or refresh one',
      description: `${TOKEN_BODY_DESCRIPTION} The scope defaults to \`member-of-groups:*\` and comes back with \`api:*\`, as Artifactory's does.`,
      responses: { 200: json(IssuedTokenReply, 'The token, shown this once'), ...authErrors },
    }),
    async (c) => {
      const issued = reply(await createOrRefresh(deps, c, await tokenRequest(c), 'member-of-groups:*'));
      return c.json({ ...issued, scope: issued.scope.split(' ').includes('api:*') ? issued.scope : `api:* ${issued.scope}` }, 200);
    },
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'get',
      path: '/security/token',
      summary: 'Get Tokens (Artifactory)',
      middleware: [requireAuth(deps, { can: 'manageTokens' })] as const,
      responses: { 200: json(AccessTokenList, 'Live tokens'), ...authErrors },
    }),
    async (c) => c.json({ tokens: await describeAll(deps, c.var.principal) }, 200),
  );

  app.openapi(
    createRoute({
      ...base,
      method: 'post',
      path: '/security/token/revoke',
      summary: 'Revoke Token (Artifactory)',
      description: 'Form `token=` (the access or refresh token) or `token_id=`. 200 either way, as Artifactory answers.',
      middleware: [requireAuth(deps, { can: 'manageTokens' })] as const,
      responses: { 200: text('Token revoked, or Token not found'), ...authErrors },
    }),
    async (c) => {
      const body = await readBody(c);
      const value = typeof body.token === 'string' ? body.token : null;
      const id = typeof body.token_id === 'string' ? body.token_id : null;
      if (!value && !id) throw httpError('BAD_REQUEST', 'Give token= or token_id=');
      const token = value ? await findTokenByValue(deps, value) : await deps.store.findAccessToken((id as string).slice(0, 64));
      const revoked = await revokeToken(deps, c.var.requestContext, c.var.principal, token);
      return c.text(revoked ? 'Token revoked' : 'Token not found', 200);
    },
  );

  return app;
}

/** Keyfob's own: the admin's token policy, and revoking a user's tokens or everyone's. */
export function tokenAdminRoutes(deps: AppDeps) {
  const app = routeGroup();
  const base = { tags: ['Tokens'], security: credentialSecurity };

  app.openapi(
    createRoute({
      ...base,
      method: 'get',
      path: '/settings/tokenPolicy',
      summary: 'Token policy (admin)',
      middleware: [requireAuth(deps, { can: 'adminRead' })] as const,
      responses: { 200: json(TokenPolicy, 'The policy'), ...authErrors },
    }),
    async (c) => c.json(await getTokenPolicy(deps), 200),
  );
  app.openapi(
    createRoute({
      ...base,
      method: 'put',
      path: '/settings/tokenPolicy',
      summary: 'Set the token policy (admin)',
      request: jsonBody(TokenPolicy),
      middleware: [requireAuth(deps, { can: 'adminChange' })] as const,
      responses: { 200: json(TokenPolicy, 'The policy now'), ...authErrors },
    }),
    async (c) => {
      const policy = c.req.valid('json');
      if (policy.defaultExpiresInSeconds > policy.maxExpiresInSeconds) throw httpError('BAD_REQUEST', 'The default lifetime cannot exceed the longest');
      return c.json(await setTokenPolicy(deps, policy), 200);
    },
  );
  app.openapi(
    createRoute({
      ...base,
      method: 'delete',
      path: '/users/{name}/tokens',
      summary: 'Revoke every token of a user (admin)',
      request: {
        params: z.object({
          name: z
            .string()
            .max(256)
            .meta({ param: { name: 'name', in: 'path' } }),
        }),
      },
      middleware: [requireAuth(deps, { can: 'adminChange' })] as const,
      responses: { 200: json(InfoReply, 'Revoked'), ...authErrors, ...notFound },
    }),
    async (c) => {
      const user = unwrap(await findUser(deps, c.req.valid('param').name));
      const count = await revokeTokensOf(deps, c.var.requestContext, c.var.principal.user, user);
      return c.json({ info: `${count} token(s) of '${user.name}' revoked` }, 200);
    },
  );
  app.openapi(
    createRoute({
      ...base,
      method: 'delete',
      path: '/tokens',
      summary: 'Revoke every token (admin)',
      middleware: [requireAuth(deps, { can: 'adminChange' })] as const,
      responses: { 200: json(InfoReply, 'Revoked'), ...authErrors },
    }),
    async (c) => c.json({ info: `All tokens have been revoked (${await revokeTokensOf(deps, c.var.requestContext, c.var.principal.user, null)})` }, 200),
  );
  return app;
}
