/**
 * OAuth account binding and sign-in with OpenID Connect providers. Every flow is an authorization-code
 * flow with PKCE, its state single-use and stored only as a hash; a bind is tied to the session that
 * started it; a sign-in's new session waits, sealed, until the extension claims it with a secret that
 * only the extension holds (so whoever sees the callback URL gets nothing).
 */
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import { seal, unseal } from '../crypto/keyring';
import { storedTokenHash } from '../crypto/secrets';
import { OAuthCallbackError, type OAuthProviderConfig, type OidcClient } from '../oauth/oidc';
import type { Principal } from './credentials';
import { auditEvent, type DomainDeps, type RequestContext } from './deps';
import { userForExternalIdentity } from './externalUsers';
import type { OAuthFlowRecord, UserRecord } from './ports';
import { fail, ok, type Result } from './result';
import { startSession, type NewSession } from './sessions';

export const OAUTH_CALLBACK_PATH = '/api/v1/oauth/callback';
const FLOW_TTL_MS = 10 * 60_000;

export interface OAuthProvider {
  config: OAuthProviderConfig;
  client: OidcClient;
}

export interface OAuthDeps extends DomainDeps {
  oauthProviders: Map<string, OAuthProvider>;
}

const secretsContext = (stateHash: string) => `oauth-flow:${stateHash}`;
const sessionContext = (stateHash: string) => `oauth-session:${stateHash}`;

function redirectUri(deps: DomainDeps): Result<string> {
  const base = deps.settings.publicUrl;
  return base ? ok(`${base.replace(/\/+$/, '')}${OAUTH_CALLBACK_PATH}`) : fail('UNAVAILABLE', 'OAuth needs KEYFOB_PUBLIC_URL to be set');
}

function provider(deps: OAuthDeps, id: string): Result<OAuthProvider> {
  const found = deps.oauthProviders.get(id);
  return found ? ok(found) : fail('NOT_FOUND', `No OAuth provider '${id.slice(0, 40)}' is configured`);
}

async function begin(deps: OAuthDeps, providerId: string, purpose: OAuthFlowRecord['purpose'], extra: Pick<OAuthFlowRecord, 'sessionHash' | 'claimHash'>) {
  const found = provider(deps, providerId);
  if (!found.ok) return found;
  const redirect = redirectUri(deps);
  if (!redirect.ok) return redirect;
  let started;
  try {
    started = await found.value.client.start(redirect.value);
  } catch {
    return fail('UNAVAILABLE', `${found.value.config.name} cannot be reached: try again later`);
  }
  const stateHash = storedTokenHash(deps.keys, started.state);
  const now = deps.clock.now();
  await deps.store.insertOAuthFlow({
    stateHash,
    provider: providerId,
    purpose,
    ...extra,
    sealedSecrets: await seal(deps.keys, JSON.stringify({ codeVerifier: started.codeVerifier, nonce: started.nonce }), secretsContext(stateHash), deps.randomBytes),
    sealedSession: null,
    createdAt: now,
    expiresAt: now + FLOW_TTL_MS,
    completedAt: null,
  });
  return ok(started.authorizationUrl);
}

/** Starts binding an identity to the signed-in user; only the session that started it can finish it. */
export async function startBind(deps: OAuthDeps, principal: Principal, providerId: string): Promise<Result<{ authorizationUrl: string }>> {
  if (principal.session?.kind !== 'browser') return fail('BAD_REQUEST', 'Bind from a signed-in Keyfob session');
  const url = await begin(deps, providerId, 'bind', { sessionHash: principal.session.tokenHash, claimHash: null });
  return url.ok ? ok({ authorizationUrl: url.value }) : url;
}

/** Starts a sign-in; the caller keeps `claim` to collect the session once the provider sends the user back. */
export async function startSignIn(deps: OAuthDeps, providerId: string): Promise<Result<{ authorizationUrl: string; claim: string }>> {
  const claim = encodeBase32LowerCaseNoPadding(deps.randomBytes(20));
  const url = await begin(deps, providerId, 'sign-in', { sessionHash: null, claimHash: storedTokenHash(deps.keys, claim) });
  return url.ok ? ok({ authorizationUrl: url.value, claim }) : url;
}

export type CallbackOutcome = { kind: 'bound'; providerName: string; user: UserRecord } | { kind: 'signed-in'; providerName: string; user: UserRecord };

/** The provider sent the user back: check everything, then bind or sign in. */
export async function handleCallback(deps: OAuthDeps, ctx: RequestContext, callbackUrl: URL): Promise<Result<CallbackOutcome>> {
  const state = callbackUrl.searchParams.get('state');
  const flow = state ? await deps.store.findOAuthFlow(storedTokenHash(deps.keys, state)) : null;
  if (!state || !flow || flow.expiresAt <= deps.clock.now()) {
    return fail('BAD_REQUEST', 'This sign-in is unknown or has expired: start again from Keyfob');
  }
  const found = provider(deps, flow.provider);
  if (!found.ok) return found;
  const { config, client } = found.value;
  // Single use: a replayed callback (the same code again) stops here.
  if (!(await deps.store.completeOAuthFlow(flow.stateHash, deps.clock.now()))) {
    return fail('BAD_REQUEST', 'This sign-in was already used: start again from Keyfob');
  }
  const secretsJson = await unseal(deps.keys, flow.sealedSecrets, secretsContext(flow.stateHash));
  const redirect = redirectUri(deps);
  if (!secretsJson || !redirect.ok) return fail('BAD_REQUEST', 'This sign-in can no longer be completed: start again from Keyfob');
  let identity;
  try {
    identity = await client.finish(callbackUrl, redirect.value, { state, ...(JSON.parse(secretsJson) as { codeVerifier: string; nonce: string }) });
  } catch (err) {
    return fail('BAD_REQUEST', err instanceof OAuthCallbackError ? err.message : `${config.name} cannot be reached: try again later`);
  }
  const bound = await deps.store.findOAuthIdentity(flow.provider, identity.subject);

  if (flow.purpose === 'bind') {
    const session = flow.sessionHash ? await deps.store.findSession(flow.sessionHash) : null;
    const user = session && session.expiresAt > deps.clock.now() ? await deps.store.findUserById(session.userId) : null;
    if (!user) return fail('BAD_REQUEST', 'Your Keyfob session ended meanwhile: sign in and bind again');
    if (bound && bound.userId !== user.id) {
      return fail('CONFLICT', `This ${config.name} account is already bound to another Keyfob user`);
    }
    if (!bound) {
      const inserted = await deps.store.insertOAuthIdentity(
        { provider: flow.provider, subject: identity.subject, userId: user.id, email: identity.email, createdAt: deps.clock.now() },
        [auditEvent(deps, ctx, 'oauth-bound', user, { provider: flow.provider })],
      );
      if (!inserted) return fail('CONFLICT', `This ${config.name} account is already bound to another Keyfob user`);
    }
    return ok({ kind: 'bound', providerName: config.name, user });
  }

  let user: UserRecord | null = bound ? await deps.store.findUserById(bound.userId) : null;
  if (!user) {
    if (!config.createUsers) {
      return fail('FORBIDDEN', `No Keyfob user is bound to this ${config.name} account: sign in with your password and bind it first`);
    }
    const name = identity.preferredUsername ?? identity.email?.split('@')[0] ?? `${flow.provider}-${identity.subject}`;
    const created = await userForExternalIdentity(deps, ctx, 'oauth', name, { create: true, email: identity.email });
    if (!created.ok) return created;
    user = created.value;
    await deps.store.insertOAuthIdentity({ provider: flow.provider, subject: identity.subject, userId: user.id, email: identity.email, createdAt: deps.clock.now() }, [
      auditEvent(deps, ctx, 'oauth-bound', user, { provider: flow.provider }),
    ]);
  }
  if (user.lockedAt !== null) return fail('USER_LOCKED', 'This account is locked: ask an administrator to unlock it');
  // Like single sign-on, this does not unlock: secrets still need the password (or the admin's flag).
  const session = await startSession(deps, ctx, user, false);
  await deps.store.setOAuthFlowSession(flow.stateHash, await seal(deps.keys, session.token, sessionContext(flow.stateHash), deps.randomBytes));
  return ok({ kind: 'signed-in', providerName: config.name, user: session.user });
}

/** The extension collects the session of a finished sign-in: once, with the claim only it holds. */
export async function claimSignIn(deps: OAuthDeps, claim: string): Promise<Result<NewSession | 'pending'>> {
  const flow = /^[a-z2-7]{32}$/.test(claim) ? await deps.store.findOAuthFlowByClaim(storedTokenHash(deps.keys, claim)) : null;
  if (!flow || flow.expiresAt <= deps.clock.now()) return fail('NOT_FOUND', 'This sign-in is unknown or has expired: start again');
  if (!flow.sealedSession) return ok('pending');
  const sealed = await deps.store.takeOAuthFlowSession(flow.stateHash);
  const token = sealed ? await unseal(deps.keys, sealed, sessionContext(flow.stateHash)) : null;
  const session = token ? await deps.store.findSession(storedTokenHash(deps.keys, token)) : null;
  const user = session ? await deps.store.findUserById(session.userId) : null;
  if (!token || !session || !user) return fail('NOT_FOUND', 'This sign-in is unknown or has expired: start again');
  return ok({ token, session, user });
}

export async function listBoundIdentities(deps: OAuthDeps, user: UserRecord) {
  return (await deps.store.listOAuthIdentities(user.id)).map((identity) => ({
    provider: identity.provider,
    providerName: deps.oauthProviders.get(identity.provider)?.config.name ?? identity.provider,
    subject: identity.subject,
    email: identity.email,
    boundAt: new Date(identity.createdAt).toISOString(),
  }));
}

export async function unbind(deps: OAuthDeps, ctx: RequestContext, user: UserRecord, providerId: string): Promise<Result<void>> {
  const removed = await deps.store.deleteOAuthIdentity(user.id, providerId, [auditEvent(deps, ctx, 'oauth-unbound', user, { provider: providerId })]);
  return removed ? ok(undefined) : fail('NOT_FOUND', `You have no account of '${providerId.slice(0, 40)}' bound`);
}
