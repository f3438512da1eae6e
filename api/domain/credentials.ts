/**
 * Turning a presented credential into a principal. Each form is checked by the cheapest test first:
 * API keys and encrypted passwords by one keyed hash, sessions by one SHA-256, and only then a password,
 * through argon2 and the lockout rules.
 */
import {
  BASIC_PASSWORD_API_KEY_FORMAT,
  SESSION_TOKEN_PREFIX,
  looksLikeAccessToken,
  looksLikeApiKey,
  looksLikeEncryptedPassword,
  looksLikeReferenceToken,
} from '../../shared/formats';
import { verifyJwt, type AccessTokenClaims } from '../crypto/jwt';
import { apiKeyMayExist } from './apiKeys';
import { referenceTokenMayExist, sessionTokenMayExist } from './checksums';
import { presentedOldKey } from './apiKeyOverlap';
import { tokenIsAdmin } from './tokenScopes';
import { isExternalRealm, UserName, userNameKey } from '../../shared/schemas';
import { apiKeyLookupHash, deriveEncryptedApiKey, deriveEncryptedPassword, secretsEqual, storedTokenHash } from '../crypto/secrets';
import type { DomainDeps, RequestContext } from './deps';
import { DirectoryUnavailableError, type Directory, type DirectoryUser } from './directory';
import { userForExternalIdentity } from './externalUsers';
import { ssoUser } from './httpSso';
import { addressFailureKey, BAD_CREDENTIALS_MESSAGE, guardedPasswordAttempt, LOCKED_MESSAGE, passwordLocked } from './lockout';
import { tokenEnded, type AccessTokenRecord, type ApiKeyRecord, type SessionRecord, type UserRecord } from './records';
import { fail, ok, type Result } from './result';
import { extendedUnlock } from './unlockWindow';
import { usageKey } from './usage';

/** A credential as a request carried it, already parsed from its header. */
export type Credential =
  | { kind: 'none' }
  | { kind: 'apiKeyHeader'; apiKey: string }
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'bearer'; token: string }
  /** A name a trusted HTTP SSO proxy vouched for (see httpSso.ts). */
  | { kind: 'sso'; name: string };

export type AuthenticatedVia = 'password' | 'apiKey' | 'encryptedPassword' | 'encryptedApiKey' | 'session' | 'lfsToken' | 'sso' | 'accessToken';

export interface Principal {
  user: UserRecord;
  via: AuthenticatedVia;
  session?: SessionRecord;
  apiKey?: ApiKeyRecord;
  /** The access token the request carried (a JWT, or its reference token). */
  accessToken?: AccessTokenRecord;
  /** What this use is counted under (domain/usage.ts); none for a password, which has no usage to show. */
  usageKey?: string;
}

const SESSION_ENDED_MESSAGE = 'Your session has ended: sign in again';

export const UI_ACCESS_DISABLED_MESSAGE = "Your administrator has turned off Keyfob's interface for you: use the REST API with your API key";

/** Record "last used" at most once a minute: accurate to a minute, without a write per request. */
const LAST_USED_RESOLUTION_MS = 60_000;
/** Extend a session's idle expiry at most once a minute, for the same reason. */
const SESSION_TOUCH_MS = 60_000;

let dummyHash: Promise<string> | null = null;

/**
 * Whether the user's Keyfob password may sign them in at all: not once an admin disabled it, and never
 * for a user of an external realm (the directory or provider answers for them), whatever hash is left.
 */
export function internalPasswordUsable(user: UserRecord): boolean {
  return user.passwordHash !== null && !user.internalPasswordDisabled && !isExternalRealm(user.realm);
}

/**
 * Checks a user's password under the lockout rules. Unknown users and users without a password still
 * cost one hash check, so timing does not tell them apart.
 */
export async function verifyUserPassword(
  deps: DomainDeps,
  ctx: RequestContext,
  username: string,
  password: string,
  /**
   * `sessionHeld`: the caller already holds a session of this user (an unlock). The lock stops guessing
   * by people who hold nothing; it must not keep the user out of a session they have (the delays apply).
   */
  options: { sessionHeld?: boolean } = {},
): Promise<Result<UserRecord>> {
  // A name no user can have is refused before it is looked up or counted: nothing to guess there, and
  // counts are then keyed only by valid names (lockout.ts relies on that).
  if (!UserName.safeParse(username).success) return fail('BAD_CREDENTIALS', BAD_CREDENTIALS_MESSAGE);
  const nameKey = userNameKey(username);
  const user = await deps.store.findUserByNameKey(nameKey);
  const cacheKey = deps.passwordCache?.keyFor(nameKey, password);
  if (user && cacheKey && internalPasswordUsable(user) && deps.passwordCache!.verified(cacheKey, user)) {
    // This very password was verified against the user's current hash: no argon2, and no throttle
    // (a correct password is not a guess). The lock still applies, and success clears failures as ever.
    if (!options.sessionHeld && (await passwordLocked(deps, user))) return fail('USER_LOCKED', LOCKED_MESSAGE);
    // The name's count and this address's are written together: one tells whether both need clearing.
    if (await deps.store.findLoginFailure(nameKey)) await deps.store.clearLoginFailures([nameKey, addressFailureKey(nameKey, ctx.clientAddress)]);
    return ok(user);
  }
  const { directory } = deps;
  // The directory answers for its own users, and for names Keyfob does not know when it may create them.
  const askDirectory = directory !== undefined && (user ? user.realm === 'ldap' : directory.createUsers);
  let fromDirectory: DirectoryUser | null = null;
  let attempt: Result<void>;
  try {
    const verifiedMeanwhile = () => user !== null && cacheKey !== undefined && internalPasswordUsable(user) && deps.passwordCache!.verified(cacheKey, user);
    attempt = await guardedPasswordAttempt(deps, ctx, nameKey, user, { lockApplies: !options.sessionHeld, verifiedMeanwhile }, async () => {
      if (askDirectory) {
        fromDirectory = await (directory as Directory).authenticate(user?.name ?? username, password);
        return fromDirectory !== null;
      }
      if (!user || !internalPasswordUsable(user)) {
        dummyHash ??= deps.hasher.hash('keyfob-timing-equaliser');
        await deps.hasher.verify(await dummyHash, password);
        return false;
      }
      return deps.hasher.verify(user.passwordHash as string, password);
    });
  } catch (err) {
    // Not the user's mistake, and not counted as one; local users are not affected.
    if (err instanceof DirectoryUnavailableError) return fail('UNAVAILABLE', 'The directory (LDAP) cannot be reached: try again later');
    throw err;
  }
  if (!attempt.ok) return attempt;
  if (askDirectory) {
    const email = (fromDirectory as DirectoryUser | null)?.email ?? null;
    return user ? ok(user) : userForExternalIdentity(deps, ctx, 'ldap', username, { create: true, email });
  }
  const known = user as UserRecord;
  let verified = known;
  if (known.passwordHash && deps.hasher.needsRehash(known.passwordHash)) {
    // The hashing parameters changed since this hash was made: upgrade it while we hold the password.
    const passwordHash = await deps.hasher.hash(password);
    await deps.store.updateUser(known.id, { passwordHash }, []);
    verified = { ...known, passwordHash };
  }
  if (cacheKey) deps.passwordCache!.remember(cacheKey, verified);
  return ok(verified);
}

async function byApiKey(deps: DomainDeps, apiKey: string, expectedNameKey?: string): Promise<Result<Principal> | null> {
  // A typo (or a guess that ignores the public checksum) fails it and costs no database read.
  if (!(await apiKeyMayExist(deps, apiKey))) return null;
  const hash = apiKeyLookupHash(deps.keys, apiKey);
  const key = await deps.store.findApiKeyByLookupHash(hash);
  if (!key) return null;
  const user = await deps.store.findUserById(key.userId);
  if (!user || (expectedNameKey !== undefined && user.nameKey !== expectedNameKey)) return null;
  const now = deps.clock.now();
  const which = presentedOldKey(key, hash, now);
  if (which === 'ended') {
    return fail('BAD_CREDENTIALS', `This API key was replaced; it stopped working at ${new Date(key.previousEndsAt ?? now).toISOString()}: use the new key`);
  }
  // The sign-in lock stops password guesses; a key already held is no guess, so it goes on working.
  const lastUsedAt = which === 'current' ? key.lastUsedAt : key.previousLastUsedAt;
  if (lastUsedAt === null || now - lastUsedAt >= LAST_USED_RESOLUTION_MS) await deps.store.touchApiKey(hash, now);
  return ok({ user, via: 'apiKey', apiKey: key, usageKey: usageKey.apiKey(hash) });
}

// Scripts send the same token with every request: its claims, once its signature checked out, are kept
// by the token's SHA-256 (as sessions are stored), per key ring, so the next request skips the MAC and the
// JSON. Claims never change; whether the token still works is the row's to say, every time.
const verifiedByRing = new WeakMap<object, Map<string, AccessTokenClaims>>();
const MAX_VERIFIED = 10_000;

function verifiedClaims(deps: DomainDeps, token: string): AccessTokenClaims | null {
  let verified = verifiedByRing.get(deps.keys);
  if (!verified) {
    verified = new Map();
    verifiedByRing.set(deps.keys, verified);
  }
  const hash = storedTokenHash(deps.keys, token);
  const known = verified.get(hash);
  if (known) return known;
  const claims = verifyJwt(deps.keys.tokenSigningMac, token);
  if (claims) {
    if (verified.size >= MAX_VERIFIED) verified.clear();
    verified.set(hash, claims);
  }
  return claims;
}

/**
 * An access token: its signature first (no database read for a forgery), then its row, which says
 * whether it still works and why not. `expectedNameKey`: as a Basic password, the name must be its user's.
 */
async function byAccessToken(deps: DomainDeps, presented: string, expectedNameKey?: string): Promise<Result<Principal>> {
  let token: AccessTokenRecord | null;
  if (looksLikeReferenceToken(presented)) {
    // A typo of a reference token fails its checksum and costs no database read, as an API key's does.
    token = (await referenceTokenMayExist(deps, presented)) ? await deps.store.findAccessTokenByReference(storedTokenHash(deps.keys, presented)) : null;
  } else {
    const claims = verifiedClaims(deps, presented);
    if (!claims) return fail('BAD_CREDENTIALS', 'This access token was not issued by this Keyfob');
    token = await deps.store.findAccessToken(claims.jti);
  }
  if (!token) return fail('BAD_CREDENTIALS', 'This access token is unknown here');
  const now = deps.clock.now();
  if (tokenEnded(token, now)) {
    return fail('TOKEN_REVOKED', token.revokedReason === 'refreshed' ? 'This access token was refreshed: use the new one' : 'This access token was revoked');
  }
  if (token.expiresAt !== null && token.expiresAt <= now) {
    return fail('TOKEN_EXPIRED', `This access token expired at ${new Date(token.expiresAt).toISOString()}: create or refresh one`);
  }
  const user = await deps.store.findUserById(token.userId);
  if (!user) return fail('BAD_CREDENTIALS', 'This access token is unknown here');
  if (expectedNameKey !== undefined && user.nameKey !== expectedNameKey) return fail('BAD_CREDENTIALS', BAD_CREDENTIALS_MESSAGE);
  // Never more than its user may now: a demoted admin's admin token stops at once.
  if (tokenIsAdmin(token) && !user.admin) return fail('FORBIDDEN', `This token carries admin rights that ${user.name} no longer has`);
  if (token.lastUsedAt === null || now - token.lastUsedAt >= LAST_USED_RESOLUTION_MS) await deps.store.touchAccessToken(token.id, now);
  return ok({ user, via: 'accessToken', accessToken: token, usageKey: usageKey.token(token.id) });
}

async function bySession(deps: DomainDeps, token: string): Promise<Result<Principal>> {
  // A typo fails the checksum and is answered as an unknown session, without a database read.
  if (!(await sessionTokenMayExist(deps, token))) return fail('SESSION_EXPIRED', SESSION_ENDED_MESSAGE);
  const tokenHash = storedTokenHash(deps.keys, token);
  const session = await deps.store.findSession(tokenHash);
  const now = deps.clock.now();
  if (!session) return fail('SESSION_EXPIRED', SESSION_ENDED_MESSAGE);
  const endsAt = session.kind === 'browser' ? session.createdAt + deps.settings.sessionMaxMs : Number.POSITIVE_INFINITY;
  if (session.expiresAt <= now || endsAt <= now) {
    await deps.store.deleteSession(tokenHash, []);
    return fail('SESSION_EXPIRED', endsAt <= now ? 'Your session has reached its maximum age: sign in again' : 'Your session has expired: sign in again');
  }
  const user = await deps.store.findUserById(session.userId);
  if (!user) return fail('SESSION_EXPIRED', SESSION_ENDED_MESSAGE);
  // Git LFS tokens live their fixed few minutes and never see secrets.
  if (session.kind === 'lfs') return ok({ user, via: 'lfsToken', session, ...(session.sshKeyId !== null && { usageKey: usageKey.sshKey(session.sshKeyId) }) });
  // Sessions are Keyfob's interface (the extension): an admin who turned it off for the user ends them.
  if (user.disableUIAccess) return fail('FORBIDDEN', UI_ACCESS_DISABLED_MESSAGE);
  const unlockedUntil = extendedUnlock(session, now);
  if (now - session.lastSeenAt >= SESSION_TOUCH_MS || unlockedUntil !== null) {
    // Use extends a session, never past its maximum age, and its unlock, never past the server's maximum.
    const changes = { lastSeenAt: now, expiresAt: Math.min(now + deps.settings.sessionIdleMs, endsAt), ...(unlockedUntil !== null && { unlockedUntil }) };
    await deps.store.updateSession(tokenHash, changes, []);
    return ok({ user, via: 'session', session: { ...session, ...changes }, usageKey: usageKey.session(tokenHash) });
  }
  return ok({ user, via: 'session', session, usageKey: usageKey.session(tokenHash) });
}

async function byBasic(deps: DomainDeps, ctx: RequestContext, username: string, password: string): Promise<Result<Principal>> {
  // A token is never a password guess either: it is checked as what it is, and a miss counts nothing.
  if (looksLikeAccessToken(password) || looksLikeReferenceToken(password)) return byAccessToken(deps, password, userNameKey(username));
  if (looksLikeApiKey(password)) {
    // A key-shaped secret is never a password guess: a stale key in some CI job must not throttle or
    // lock its owner, so a miss is a plain 401 that the lockout does not count. The key finds its
    // user; the name only has to be that user's.
    const viaKey = await byApiKey(deps, password, userNameKey(username));
    if (viaKey?.ok && (viaKey.value.apiKey?.formatVersion ?? 0) < BASIC_PASSWORD_API_KEY_FORMAT) {
      return fail('LEGACY_API_KEY', 'This API key was made by an older format: regenerate it to use it as a password');
    }
    return viaKey ?? fail('BAD_CREDENTIALS', BAD_CREDENTIALS_MESSAGE);
  }
  const user = looksLikeEncryptedPassword(password) ? await deps.store.findUserByNameKey(userNameKey(username)) : null;
  if (user) {
    const viaEncrypted = await byEncryptedPassword(deps, user, password);
    if (viaEncrypted) return viaEncrypted;
  }
  const checked = await verifyUserPassword(deps, ctx, username, password);
  return checked.ok ? ok({ user: checked.value, via: 'password' }) : checked;
}

async function byEncryptedPassword(deps: DomainDeps, user: UserRecord, presented: string): Promise<Result<Principal> | null> {
  // AP1 stands for the password: it dies with it, and with the password's right to sign in.
  if (internalPasswordUsable(user) && secretsEqual(presented, deriveEncryptedPassword(deps.keys, user.id, user.passwordStamp))) {
    return ok({ user, via: 'encryptedPassword' });
  }
  const key = await deps.store.findApiKeyByUserId(user.id);
  if (key !== null && secretsEqual(presented, deriveEncryptedApiKey(deps.keys, user.id, key.lookupHash))) {
    // AP2 is a use of the key (a Maven settings.xml holds it): its "last used" must say so.
    const now = deps.clock.now();
    if (key.lastUsedAt === null || now - key.lastUsedAt >= LAST_USED_RESOLUTION_MS) await deps.store.touchApiKey(key.lookupHash, now);
    return ok({ user, via: 'encryptedApiKey', apiKey: key, usageKey: usageKey.apiKey(key.lookupHash) });
  }
  return null;
}

/**
 * Resolves a credential to a principal, or says why not. `none` is the caller's to handle. A use of a
 * credential is counted (in memory: the usage log writes rollups now and then, never per request).
 */
export async function authenticate(deps: DomainDeps, ctx: RequestContext, credential: Credential): Promise<Result<Principal>> {
  const result = await resolveCredential(deps, ctx, credential);
  const counted = result.ok ? result.value.usageKey : undefined;
  if (counted !== undefined && deps.usage) {
    const now = deps.clock.now();
    deps.usage.record(counted, now, ctx);
    const flushing = deps.usage.flushIfDue(deps.store, now);
    if (flushing !== null) await flushing;
  }
  return result;
}

async function resolveCredential(deps: DomainDeps, ctx: RequestContext, credential: Credential): Promise<Result<Principal>> {
  switch (credential.kind) {
    case 'none':
      return fail('UNAUTHENTICATED', 'Authentication is required');
    case 'apiKeyHeader':
      // JFrog's reference tokens go in the API-key header too.
      if (looksLikeReferenceToken(credential.apiKey) || looksLikeAccessToken(credential.apiKey)) return byAccessToken(deps, credential.apiKey);
      return (await byApiKey(deps, credential.apiKey)) ?? fail('BAD_CREDENTIALS', 'Bad API key');
    case 'bearer':
      if (looksLikeAccessToken(credential.token) || looksLikeReferenceToken(credential.token)) return byAccessToken(deps, credential.token);
      if (!credential.token.startsWith(SESSION_TOKEN_PREFIX)) {
        return fail('BAD_CREDENTIALS', 'This bearer token is not one Keyfob issued: use an access token, a reference token or a Keyfob session');
      }
      return bySession(deps, credential.token);
    case 'basic':
      return byBasic(deps, ctx, credential.username, credential.password);
    case 'sso': {
      if (!deps.settings.httpSso) return fail('UNAUTHENTICATED', 'Authentication is required');
      const user = await ssoUser(deps, ctx, deps.settings.httpSso, credential.name);
      return user.ok ? ok({ user: user.value, via: 'sso' }) : user;
    }
  }
}
