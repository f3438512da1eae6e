/**
 * Turning a presented credential into a principal. Each form is checked by the cheapest test first:
 * API keys and encrypted passwords by one keyed hash, sessions by one SHA-256, and only then a password,
 * through argon2 and the lockout rules.
 */
import { CURRENT_API_KEY_FORMAT, looksLikeApiKey, looksLikeEncryptedPassword } from '../../shared/formats';
import { userNameKey } from '../../shared/schemas';
import {
  apiKeyLookupHash,
  deriveEncryptedApiKey,
  deriveEncryptedPassword,
  secretsEqual,
  storedTokenHash,
} from '../crypto/secrets';
import type { DomainDeps, RequestContext } from './deps';
import { DirectoryUnavailableError, type Directory, type DirectoryUser } from './directory';
import { userForExternalIdentity } from './externalUsers';
import { ssoUser } from './httpSso';
import { BAD_CREDENTIALS_MESSAGE, getLockPolicy, guardedPasswordAttempt, isLocked, LOCKED_MESSAGE } from './lockout';
import type { ApiKeyRecord, SessionRecord, UserRecord } from './ports';
import { fail, ok, type Result } from './result';

/** A credential as a request carried it, already parsed from its header. */
export type Credential =
  | { kind: 'none' }
  | { kind: 'apiKeyHeader'; apiKey: string }
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'bearer'; token: string }
  /** A name a trusted HTTP SSO proxy vouched for (see httpSso.ts). */
  | { kind: 'sso'; name: string };

export type AuthenticatedVia = 'password' | 'apiKey' | 'encryptedPassword' | 'session' | 'lfsToken' | 'sso';

export interface Principal {
  user: UserRecord;
  via: AuthenticatedVia;
  session?: SessionRecord;
  apiKey?: ApiKeyRecord;
}

/** Record "last used" at most once a minute: accurate to a minute, without a write per request. */
const LAST_USED_RESOLUTION_MS = 60_000;
/** Extend a session's idle expiry at most once a minute, for the same reason. */
const SESSION_TOUCH_MS = 60_000;

let dummyHash: Promise<string> | null = null;

/**
 * Checks a user's password under the lockout rules. Unknown users and users without a password still
 * cost one hash check, so timing does not tell them apart.
 */
export async function verifyUserPassword(
  deps: DomainDeps,
  ctx: RequestContext,
  username: string,
  password: string,
): Promise<Result<UserRecord>> {
  const nameKey = userNameKey(username);
  const user = await deps.store.findUserByNameKey(nameKey);
  const cacheKey = deps.passwordCache?.keyFor(nameKey, password);
  if (user && cacheKey && deps.passwordCache!.verified(cacheKey, user)) {
    // This very password was verified against the user's current hash: no argon2, and no throttle
    // (a correct password is not a guess). The lock still applies, and success clears failures as ever.
    const locked = await lockedFailure(deps, user);
    if (locked) return locked;
    if (await deps.store.findLoginFailure(nameKey)) await deps.store.clearLoginFailures(nameKey);
    return ok(user);
  }
  const { directory } = deps;
  // The directory answers for its own users, and for names Keyfob does not know when it may create them.
  const askDirectory = directory !== undefined && (user ? user.realm === 'ldap' : directory.createUsers);
  let fromDirectory: DirectoryUser | null = null;
  let attempt: Result<void>;
  try {
    attempt = await guardedPasswordAttempt(deps, ctx, nameKey, user, async () => {
      if (askDirectory) {
        fromDirectory = await (directory as Directory).authenticate(user?.name ?? username, password);
        return fromDirectory !== null;
      }
      if (!user?.passwordHash || user.internalPasswordDisabled) {
        dummyHash ??= deps.hasher.hash('keyfob-timing-equaliser');
        await deps.hasher.verify(await dummyHash, password);
        return false;
      }
      return deps.hasher.verify(user.passwordHash, password);
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

async function lockedFailure(deps: DomainDeps, user: UserRecord): Promise<Result<never> | null> {
  if (user.lockedAt === null) return null;
  const policy = await getLockPolicy(deps.store);
  return isLocked(policy, user, 0) ? fail('USER_LOCKED', LOCKED_MESSAGE) : null;
}

async function touchApiKey(deps: DomainDeps, key: ApiKeyRecord): Promise<void> {
  const now = deps.clock.now();
  if (key.lastUsedAt === null || now - key.lastUsedAt >= LAST_USED_RESOLUTION_MS) {
    await deps.store.touchApiKey(key.lookupHash, now);
  }
}

async function byApiKey(deps: DomainDeps, apiKey: string, expectedNameKey?: string): Promise<Result<Principal> | null> {
  const key = await deps.store.findApiKeyByLookupHash(apiKeyLookupHash(deps.keys, apiKey));
  if (!key) return null;
  const user = await deps.store.findUserById(key.userId);
  if (!user || (expectedNameKey !== undefined && user.nameKey !== expectedNameKey)) return null;
  const locked = await lockedFailure(deps, user);
  if (locked) return locked;
  await touchApiKey(deps, key);
  return ok({ user, via: 'apiKey', apiKey: key });
}

async function bySession(deps: DomainDeps, token: string): Promise<Result<Principal>> {
  const tokenHash = storedTokenHash(deps.keys, token);
  const session = await deps.store.findSession(tokenHash);
  const now = deps.clock.now();
  if (!session) return fail('SESSION_EXPIRED', 'Your session has ended: sign in again');
  if (session.expiresAt <= now) {
    await deps.store.deleteSession(tokenHash, []);
    return fail('SESSION_EXPIRED', 'Your session has expired: sign in again');
  }
  const user = await deps.store.findUserById(session.userId);
  if (!user) return fail('SESSION_EXPIRED', 'Your session has ended: sign in again');
  const locked = await lockedFailure(deps, user);
  if (locked) return locked;
  // Git LFS tokens live their fixed few minutes and never see secrets.
  if (session.kind === 'lfs') return ok({ user, via: 'lfsToken', session });
  if (now - session.lastSeenAt >= SESSION_TOUCH_MS) {
    const changes = { lastSeenAt: now, expiresAt: now + deps.settings.sessionIdleMs };
    await deps.store.updateSession(tokenHash, changes, []);
    Object.assign(session, changes);
  }
  return ok({ user, via: 'session', session });
}

async function byBasic(deps: DomainDeps, ctx: RequestContext, username: string, password: string): Promise<Result<Principal>> {
  if (looksLikeApiKey(password)) {
    // A key-shaped secret is never a password guess: a stale key in some CI job must not throttle or
    // lock its owner, so a miss is a plain 401 that the lockout does not count. The key finds its
    // user; the name only has to be that user's.
    const viaKey = await byApiKey(deps, password, userNameKey(username));
    if (viaKey?.ok && (viaKey.value.apiKey?.formatVersion ?? 0) < CURRENT_API_KEY_FORMAT) {
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
  let matches = user.passwordHash !== null && secretsEqual(presented, deriveEncryptedPassword(deps.keys, user.id, user.passwordStamp));
  if (!matches) {
    const key = await deps.store.findApiKeyByUserId(user.id);
    matches = key !== null && secretsEqual(presented, deriveEncryptedApiKey(deps.keys, user.id, key.lookupHash));
  }
  if (!matches) return null;
  return (await lockedFailure(deps, user)) ?? ok({ user, via: 'encryptedPassword' });
}

/** Resolves a credential to a principal, or says why not. `none` is the caller's to handle. */
export async function authenticate(deps: DomainDeps, ctx: RequestContext, credential: Credential): Promise<Result<Principal>> {
  switch (credential.kind) {
    case 'none':
      return fail('UNAUTHENTICATED', 'Authentication is required');
    case 'apiKeyHeader':
      return (await byApiKey(deps, credential.apiKey)) ?? fail('BAD_CREDENTIALS', 'Bad API key');
    case 'bearer':
      return bySession(deps, credential.token);
    case 'basic':
      return byBasic(deps, ctx, credential.username, credential.password);
    case 'sso': {
      if (!deps.settings.httpSso) return fail('UNAUTHENTICATED', 'Authentication is required');
      const user = await ssoUser(deps, ctx, deps.settings.httpSso, credential.name);
      if (!user.ok) return user;
      return (await lockedFailure(deps, user.value)) ?? ok({ user: user.value, via: 'sso' });
    }
  }
}

/** Whether this principal may see secrets now: by a credential of its own, an unlocked session, or the admin's flag. */
export function canSeeSecrets(principal: Principal, now: number): boolean {
  if (principal.via === 'lfsToken') return false;
  // An SSO user has no Keyfob password to unlock with: only the admin's flag opens their secrets.
  if (principal.via === 'sso') return principal.user.keysWithoutUnlock;
  if (principal.via !== 'session') return true;
  if (principal.user.keysWithoutUnlock) return true;
  return (principal.session?.unlockedUntil ?? 0) > now;
}

