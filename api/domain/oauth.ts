/**
 * OAuth account binding and sign-in with OpenID Connect providers (and the finish that SAML sign-in
 * shares). Every flow is an authorization-code flow with PKCE, its state single-use and stored only as a
 * hash. Whoever starts a flow need not be whoever finishes it at the provider: a link can be sent to
 * someone else. So when the provider sends the user back, Keyfob records the outcome and hands a
 * single-use completion code only to that browser tab (in the URL of its "finished" page), and neither
 * half alone is enough:
 * - a sign-in's session goes only to the claim (held by whoever started) together with that code: the
 *   extension has both because it opened the tab itself;
 * - a bind happens only once the page, naming the Keyfob account, was confirmed in that tab (a form post
 *   with the code) and the session that started the bind approved with the same code.
 */
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import { UserName } from '../../shared/schemas';
import { seal, unseal } from '../crypto/keyring';
import { storedTokenHash } from '../crypto/secrets';
import { OAuthCallbackError, type OAuthProviderConfig, type OidcClient, type StartedFlow, type VerifiedIdentity } from '../oauth/oidc';
import { UI_ACCESS_DISABLED_MESSAGE, type Principal } from './credentials';
import { auditEvent, type DomainDeps, type RequestContext } from './deps';
import { insertExternalUser } from './externalUsers';
import type { OAuthFlowRecord, UserRecord } from './records';
import { fail, ok, type Result } from './result';
import { startSession, type NewSession } from './sessions';
import { quoted, securityNotice } from './notices';

export const OAUTH_CALLBACK_PATH = '/api/v1/oauth/callback';
/** Where the provider's tab lands once Keyfob has checked the answer: `?code=` carries the completion code. */
export const OAUTH_FINISHED_PATH = '/api/v1/oauth/finished';
const FLOW_TTL_MS = 10 * 60_000;
/** Anonymous sign-in starts (OAuth and SAML together) per client address and window, beyond which 429. */
export const SIGN_IN_STARTS_PER_ADDRESS = 30;
const START_WINDOW_MS = 10 * 60_000;
/** Claims and completion codes: 160 random bits in lower-case base32. */
const SECRET_FORMAT = /^[a-z2-7]{32}$/;

export interface OAuthProvider {
  config: OAuthProviderConfig;
  client: OidcClient;
}

export interface OAuthDeps extends DomainDeps {
  oauthProviders: Map<string, OAuthProvider>;
}

/** What the finish needs to name a SAML flow's provider too. */
export interface FlowDeps extends OAuthDeps {
  saml?: { name: string };
}

const secretsContext = (stateHash: string) => `oauth-flow:${stateHash}`;

const PROFILE_LOCKED = 'Your administrator manages your Keyfob profile (profileUpdatable is off): bound accounts cannot be changed';
const UNKNOWN_FLOW = 'This sign-in is unknown or has expired: start again from Keyfob';

function redirectUri(deps: DomainDeps): Result<string> {
  const base = deps.settings.publicUrl;
  return base ? ok(`${base.replace(/\/+$/, '')}${OAUTH_CALLBACK_PATH}`) : fail('UNAVAILABLE', 'OAuth needs KEYFOB_PUBLIC_URL to be set');
}

function provider(deps: OAuthDeps, id: string): Result<OAuthProvider> {
  const found = deps.oauthProviders.get(id);
  return found ? ok(found) : fail('NOT_FOUND', `No OAuth provider '${id.slice(0, 40)}' is configured`);
}

const providerName = (deps: FlowDeps, flow: OAuthFlowRecord) => deps.oauthProviders.get(flow.provider)?.config.name ?? deps.saml?.name ?? flow.provider;

const sameHash = (a: string, b: string) => a.length === b.length && constantTimeEqual(new TextEncoder().encode(a), new TextEncoder().encode(b));

/**
 * Counts an anonymous sign-in start against the caller's address: each start writes a flow row and may
 * call the provider, so one address must not be able to make them without end.
 */
export async function admitSignInStart(deps: DomainDeps, ctx: RequestContext): Promise<Result<void>> {
  const bucket = `sign-in-start:${ctx.clientAddress ?? 'unknown'}`;
  const now = deps.clock.now();
  if ((await deps.store.hitThrottle(bucket, START_WINDOW_MS, now)) <= SIGN_IN_STARTS_PER_ADDRESS) return ok(undefined);
  const { windowEndsAt } = await deps.store.peekThrottle(bucket, now);
  const seconds = Math.max(1, Math.ceil((windowEndsAt - now) / 1000));
  return fail('RATE_LIMITED', `Too many sign-ins started from your address: try again in ${seconds} seconds`, { retryAfterSeconds: seconds });
}

/** A new flow row: no outcome yet. */
export function newFlow(
  deps: DomainDeps,
  fields: Pick<OAuthFlowRecord, 'stateHash' | 'provider' | 'purpose' | 'sessionHash' | 'claimHash' | 'sealedSecrets'>,
): OAuthFlowRecord {
  const now = deps.clock.now();
  return {
    ...fields,
    userId: null,
    subject: null,
    email: null,
    completionHash: null,
    pageConfirmedAt: null,
    starterApprovedAt: null,
    createdAt: now,
    expiresAt: now + FLOW_TTL_MS,
    completedAt: null,
  };
}

/** The provider vouched: records who signs in (or what a bind would add) and returns the tab's completion code. */
export async function recordOutcome(
  deps: DomainDeps,
  flow: OAuthFlowRecord,
  outcome: { userId: number; subject: string; email: string | null },
): Promise<string> {
  const code = encodeBase32LowerCaseNoPadding(deps.randomBytes(20));
  await deps.store.setOAuthFlowOutcome(flow.stateHash, { ...outcome, completionHash: storedTokenHash(deps.keys, code) });
  return code;
}

async function begin(deps: OAuthDeps, providerId: string, purpose: OAuthFlowRecord['purpose'], extra: Pick<OAuthFlowRecord, 'sessionHash' | 'claimHash'>) {
  const found = provider(deps, providerId);
  if (!found.ok) return found;
  const redirect = redirectUri(deps);
  if (!redirect.ok) return redirect;
  let started: StartedFlow;
  try {
    started = await found.value.client.start(redirect.value);
  } catch {
    return fail('UNAVAILABLE', `${found.value.config.name} cannot be reached: try again later`);
  }
  const stateHash = storedTokenHash(deps.keys, started.state);
  const secrets = JSON.stringify({ codeVerifier: started.codeVerifier, nonce: started.nonce });
  await deps.store.insertOAuthFlow(
    newFlow(deps, {
      stateHash,
      provider: providerId,
      purpose,
      ...extra,
      sealedSecrets: await seal(deps.keys, secrets, secretsContext(stateHash), deps.randomBytes),
    }),
  );
  return ok(started.authorizationUrl);
}

/** Starts binding an identity to the signed-in user; only the session that started it can approve it. */
export async function startBind(deps: OAuthDeps, principal: Principal, providerId: string): Promise<Result<{ authorizationUrl: string }>> {
  if (principal.session?.kind !== 'browser') return fail('BAD_REQUEST', 'Bind from a signed-in Keyfob session');
  if (!principal.user.profileUpdatable) return fail('FORBIDDEN', PROFILE_LOCKED);
  const url = await begin(deps, providerId, 'bind', { sessionHash: principal.session.tokenHash, claimHash: null });
  return url.ok ? ok({ authorizationUrl: url.value }) : url;
}

/** Starts a sign-in; the caller keeps `claim` and collects the session with it and the tab's completion code. */
export async function startSignIn(deps: OAuthDeps, providerId: string): Promise<Result<{ authorizationUrl: string; claim: string }>> {
  const claim = encodeBase32LowerCaseNoPadding(deps.randomBytes(20));
  const url = await begin(deps, providerId, 'sign-in', { sessionHash: null, claimHash: storedTokenHash(deps.keys, claim) });
  return url.ok ? ok({ authorizationUrl: url.value, claim }) : url;
}

/** The user signing in or binding: the starting session's user, while that session lasts. */
async function bindingUser(deps: DomainDeps, flow: OAuthFlowRecord): Promise<Result<UserRecord>> {
  const session = flow.sessionHash ? await deps.store.findSession(flow.sessionHash) : null;
  const user = session && session.expiresAt > deps.clock.now() ? await deps.store.findUserById(session.userId) : null;
  if (!user) return fail('BAD_REQUEST', 'Your Keyfob session ended meanwhile: sign in and bind again');
  return user.profileUpdatable ? ok(user) : fail('FORBIDDEN', PROFILE_LOCKED);
}

/**
 * The provider sent the user back: check everything, record the outcome, and return the completion code
 * for this tab alone. Nothing is handed out or bound yet.
 */
export async function handleCallback(deps: OAuthDeps, ctx: RequestContext, callbackUrl: URL): Promise<Result<{ code: string }>> {
  const state = callbackUrl.searchParams.get('state');
  const flow = state ? await deps.store.findOAuthFlow(storedTokenHash(deps.keys, state)) : null;
  if (!state || !flow || flow.expiresAt <= deps.clock.now()) return fail('BAD_REQUEST', UNKNOWN_FLOW);
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
  let identity: VerifiedIdentity;
  try {
    identity = await client.finish(callbackUrl, redirect.value, { state, ...(JSON.parse(secretsJson) as { codeVerifier: string; nonce: string }) });
  } catch (err) {
    return fail('BAD_REQUEST', err instanceof OAuthCallbackError ? err.message : `${config.name} cannot be reached: try again later`);
  }
  const bound = await deps.store.findOAuthIdentity(flow.provider, identity.subject);

  if (flow.purpose === 'bind') {
    const user = await bindingUser(deps, flow);
    if (!user.ok) return user;
    if (bound && bound.userId !== user.value.id) return fail('CONFLICT', `This ${config.name} account is already bound to another Keyfob user`);
    return ok({ code: await recordOutcome(deps, flow, { userId: user.value.id, subject: identity.subject, email: identity.email }) });
  }

  let user: UserRecord | null = bound ? await deps.store.findUserById(bound.userId) : null;
  if (!user) {
    const created = await userForNewIdentity(deps, ctx, flow.provider, config, identity);
    if (!created.ok) return created;
    user = created.value;
  }
  // No lock check: the sign-in lock stops password guesses, and this is no password (domain/lockout.ts).
  return ok({ code: await recordOutcome(deps, flow, { userId: user.id, subject: identity.subject, email: identity.email }) });
}

/** Tries after the preferred name: numbered, then random, before giving up. */
const NUMBERED_NAMES = 9;
const RANDOM_NAMES = 2;

/** `raw` made a valid user name (characters outside the name alphabet become `-`), or null. */
function asUserName(raw: string | null, maxLength: number): string | null {
  if (!raw) return null;
  const cleaned = raw
    .normalize('NFC')
    .replace(/[^\p{L}\p{M}\p{N}._@+-]/gu, '-')
    .replace(/^[^\p{L}\p{M}\p{N}]+/u, '')
    .slice(0, maxLength);
  return UserName.safeParse(cleaned).success ? cleaned : null;
}

/**
 * A new user of realm oauth for an identity nobody has bound, where the provider allows it: always a user
 * of its own, never an existing one that shares the name (preferred_username is not unique: OIDC Core 5.7).
 * The name is the preferred one if free, else the same with a suffix; the e-mail only a verified one.
 */
async function userForNewIdentity(
  deps: DomainDeps,
  ctx: RequestContext,
  providerId: string,
  config: OAuthProviderConfig,
  identity: VerifiedIdentity,
): Promise<Result<UserRecord>> {
  if (!config.createUsers) {
    return fail('FORBIDDEN', `No Keyfob user is bound to this ${config.name} account: sign in with your password and bind it first`);
  }
  const domain = identity.email ? identity.email.slice(identity.email.lastIndexOf('@') + 1).toLowerCase() : null;
  if (config.allowedDomains.length > 0 && (!domain || !config.allowedDomains.includes(domain))) {
    return fail(
      'FORBIDDEN',
      `Keyfob makes accounts only for verified ${config.name} e-mail addresses at ${config.allowedDomains.join(', ')}: ask an administrator for an account, then bind this one`,
    );
  }
  if (config.hostedDomain && identity.hostedDomain?.toLowerCase() !== config.hostedDomain) {
    return fail(
      'FORBIDDEN',
      `Keyfob makes accounts only for ${config.name} accounts of ${config.hostedDomain}: ask an administrator for an account, then bind this one`,
    );
  }
  // Room for a suffix within the name's 64 characters.
  const base =
    asUserName(identity.preferredUsername, 56) ?? asUserName(identity.email?.split('@')[0] ?? null, 56) ?? asUserName(`${providerId}-${identity.subject}`, 56);
  if (!base) return fail('BAD_REQUEST', `${config.name} sent an identity Keyfob cannot name: ask an administrator for an account, then bind this one`);
  const candidates = [
    base,
    ...Array.from({ length: NUMBERED_NAMES - 1 }, (_, i) => `${base}-${i + 2}`),
    ...Array.from({ length: RANDOM_NAMES }, () => `${base}-${encodeBase32LowerCaseNoPadding(deps.randomBytes(4))}`),
  ];
  for (const name of candidates) {
    const user = await insertExternalUser(deps, ctx, 'oauth', name, identity.email);
    if (!user) continue; // taken: by anyone, of any realm
    const bound = await deps.store.insertOAuthIdentity(
      { provider: providerId, subject: identity.subject, userId: user.id, email: identity.email, createdAt: deps.clock.now() },
      [auditEvent(deps, ctx, 'oauth-bound', user, { provider: providerId })],
    );
    if (bound) return ok(user);
    // The same identity signed in twice at once and the other request bound it first: use that user.
    await deps.store.deleteUser(user.id, []);
    const other = await deps.store.findOAuthIdentity(providerId, identity.subject);
    const otherUser = other ? await deps.store.findUserById(other.userId) : null;
    return otherUser ? ok(otherUser) : fail('CONFLICT', 'This sign-in raced another one: start again from Keyfob');
  }
  return fail('CONFLICT', `Keyfob found no free user name for this ${config.name} account: ask an administrator for an account, then bind this one`);
}

/** What the page at OAUTH_FINISHED_PATH shows for a completion code. */
export type FinishedView =
  | { kind: 'signed-in'; providerName: string; userName: string }
  | { kind: 'confirm-bind'; providerName: string; userName: string; subject: string; email: string | null }
  | { kind: 'bind-waiting'; providerName: string; userName: string }
  | { kind: 'bound'; providerName: string; userName: string };

async function flowByCompletion(deps: DomainDeps, code: string): Promise<OAuthFlowRecord | null> {
  if (!SECRET_FORMAT.test(code)) return null;
  const flow = await deps.store.findOAuthFlowByCompletion(storedTokenHash(deps.keys, code));
  return flow && flow.expiresAt > deps.clock.now() && flow.userId !== null ? flow : null;
}

async function viewOf(deps: FlowDeps, flow: OAuthFlowRecord): Promise<Result<FinishedView>> {
  const user = flow.userId === null ? null : await deps.store.findUserById(flow.userId);
  if (!user) return fail('BAD_REQUEST', UNKNOWN_FLOW);
  const base = { providerName: providerName(deps, flow), userName: user.name };
  if (flow.purpose === 'sign-in') return ok({ kind: 'signed-in', ...base });
  const bound = flow.subject === null ? null : await deps.store.findOAuthIdentity(flow.provider, flow.subject);
  if (bound?.userId === user.id && flow.pageConfirmedAt !== null && flow.starterApprovedAt !== null) return ok({ kind: 'bound', ...base });
  if (flow.pageConfirmedAt !== null) return ok({ kind: 'bind-waiting', ...base });
  return ok({ kind: 'confirm-bind', ...base, subject: flow.subject ?? '', email: flow.email });
}

/** The finished page, read: what it says for this code. Changes nothing. */
export async function describeFinished(deps: FlowDeps, code: string): Promise<Result<FinishedView>> {
  const flow = await flowByCompletion(deps, code);
  return flow ? viewOf(deps, flow) : fail('BAD_REQUEST', UNKNOWN_FLOW);
}

/** Both halves of a bind are in: bind, if the user may still and nobody else has the identity. */
async function finishBind(deps: FlowDeps, ctx: RequestContext, flow: OAuthFlowRecord): Promise<Result<FinishedView>> {
  const user = await bindingUser(deps, flow);
  if (!user.ok) return user;
  if (user.value.id !== flow.userId || flow.subject === null) return fail('BAD_REQUEST', UNKNOWN_FLOW);
  const name = providerName(deps, flow);
  // A bound account signs in as the user from now on, as an added SSH key does: the owner always hears of it.
  const mail = await securityNotice(deps, ctx, user.value, {
    subject: `A ${quoted(name, 40)} account was bound to your Keyfob account`,
    happened: `The ${quoted(name, 40)} account ${quoted(flow.email ?? flow.subject)} was bound to your Keyfob account ${user.value.name}; it can now sign in as you.`,
    ifNotYou: 'unbind it in Keyfob (Account, Bound accounts), change your password, and tell your administrator',
  });
  const inserted = await deps.store.insertOAuthIdentity(
    { provider: flow.provider, subject: flow.subject, userId: user.value.id, email: flow.email, createdAt: deps.clock.now() },
    [auditEvent(deps, ctx, 'oauth-bound', user.value, { provider: flow.provider })],
    mail,
  );
  if (inserted && mail.length > 0) deps.afterMailQueued?.();
  if (!inserted && (await deps.store.findOAuthIdentity(flow.provider, flow.subject))?.userId !== user.value.id) {
    return fail('CONFLICT', `This ${name} account is already bound to another Keyfob user`);
  }
  return ok({ kind: 'bound', providerName: name, userName: user.value.name });
}

/** One of a bind's two approvals; whichever comes second binds. */
async function approve(deps: FlowDeps, ctx: RequestContext, flow: OAuthFlowRecord, by: 'page' | 'starter'): Promise<Result<FinishedView>> {
  const user = await bindingUser(deps, flow);
  if (!user.ok) return user;
  const now = await deps.store.approveOAuthFlow(flow.stateHash, by, deps.clock.now());
  // Given already (a second click, a second request): say how things stand.
  if (!now) return viewOf(deps, (await deps.store.findOAuthFlow(flow.stateHash)) ?? flow);
  if (now.pageConfirmedAt !== null && now.starterApprovedAt !== null) return finishBind(deps, ctx, now);
  return viewOf(deps, now);
}

/** The user confirmed on the finished page (a form post with the tab's code). */
export async function confirmBindOnPage(deps: FlowDeps, ctx: RequestContext, code: string): Promise<Result<FinishedView>> {
  const flow = await flowByCompletion(deps, code);
  if (flow?.purpose !== 'bind') return fail('BAD_REQUEST', UNKNOWN_FLOW);
  return approve(deps, ctx, flow, 'page');
}

/** The session that started the bind approves it, with the code it read from the tab it opened. */
export async function approveBindAsStarter(deps: FlowDeps, ctx: RequestContext, principal: Principal, code: string): Promise<Result<'bound' | 'waiting'>> {
  const flow = await flowByCompletion(deps, code);
  if (flow?.purpose !== 'bind') return fail('NOT_FOUND', 'This bind is unknown or has expired: start again from Keyfob');
  if (principal.session?.kind !== 'browser' || !flow.sessionHash || !sameHash(principal.session.tokenHash, flow.sessionHash)) {
    return fail('FORBIDDEN', 'This bind was started from another Keyfob session: only that one can approve it');
  }
  const view = await approve(deps, ctx, flow, 'starter');
  if (!view.ok) return view;
  return ok(view.value.kind === 'bound' ? 'bound' : 'waiting');
}

/**
 * The extension collects the session of a finished sign-in: once, with the claim it kept and the code it
 * read from the tab it opened. A claim alone (what an attacker who sent someone else the link holds)
 * gets nothing, and a wrong code ends the flow.
 */
export async function claimSignIn(deps: DomainDeps, ctx: RequestContext, claim: string, code: string | undefined): Promise<Result<NewSession | 'pending'>> {
  const flow = SECRET_FORMAT.test(claim) ? await deps.store.findOAuthFlowByClaim(storedTokenHash(deps.keys, claim)) : null;
  if (flow?.purpose !== 'sign-in' || flow.expiresAt <= deps.clock.now()) return fail('NOT_FOUND', UNKNOWN_FLOW);
  if (flow.userId === null) return ok('pending');
  if (!code || !SECRET_FORMAT.test(code) || !flow.completionHash || !sameHash(storedTokenHash(deps.keys, code), flow.completionHash)) {
    await deps.store.takeOAuthFlowClaim(flow.stateHash);
    return fail('FORBIDDEN', 'This sign-in was finished in a browser tab that your Keyfob did not open: start again from Keyfob');
  }
  if (!(await deps.store.takeOAuthFlowClaim(flow.stateHash))) return fail('NOT_FOUND', UNKNOWN_FLOW);
  const user = await deps.store.findUserById(flow.userId);
  if (!user) return fail('NOT_FOUND', UNKNOWN_FLOW);
  // Sessions are Keyfob's interface: not for a user whose admin turned it off, whichever way they sign in.
  if (user.disableUIAccess) return fail('FORBIDDEN', UI_ACCESS_DISABLED_MESSAGE);
  // Like single sign-on, this does not unlock: secrets still need the password (or the admin's flag).
  return ok(await startSession(deps, ctx, user, { unlocked: false }));
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
  if (!user.profileUpdatable) return fail('FORBIDDEN', PROFILE_LOCKED);
  const removed = await deps.store.deleteOAuthIdentity(user.id, providerId, [auditEvent(deps, ctx, 'oauth-unbound', user, { provider: providerId })]);
  return removed ? ok(undefined) : fail('NOT_FOUND', `You have no account of '${providerId.slice(0, 40)}' bound`);
}
