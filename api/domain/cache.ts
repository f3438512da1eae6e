/**
 * Caches that make checking a credential cost close to nothing, without weakening revocation:
 * - a read cache around the Store: every local write forgets the entries it touches (and only those), so
 *   in one process a revoked key, a changed password or an ended session is refused on its very next
 *   request; entries are frozen, since every request shares them; entries live at most
 *   `ttlMs` (1 s), which bounds how long another process's write takes to be seen;
 * - a cache of verified passwords, keyed by an HMAC under a random per-process key (never by the
 *   password), valid only while the user's stored hash is the one it was verified against.
 */
import { encodeHexLowerCase } from '@oslojs/encoding';
import type { Sha256 } from '../crypto/keyring';
import type { RandomBytes, Store } from './ports';
import type { UserRecord } from './records';

/** The documented bound: a write through one process is seen by every other within this. */
export const CROSS_PROCESS_BOUND_MS = 1_000;
/** How long a cached read lives: under the bound, with room for the request that reads it. */
export const DEFAULT_CACHE_TTL_MS = 900;

/** A bounded map whose entries expire; the oldest entry goes first when it is full. */
class ExpiringMap<V> {
  private readonly entries = new Map<string, { value: V; until: number }>();
  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
  ) {}
  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.until <= performance.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }
  /** `readStartedAt`: when the read began; the entry's life counts from there, not from when it answered. */
  set(key: string, value: V, readStartedAt = performance.now()) {
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, { value, until: readStartedAt + this.ttlMs });
  }
  update(key: string, change: (value: V) => V) {
    const entry = this.entries.get(key);
    if (entry) entry.value = change(entry.value);
  }
  deleteWhere(test: (value: V) => boolean) {
    for (const [key, entry] of this.entries) if (test(entry.value)) this.entries.delete(key);
  }
  delete(key: string) {
    this.entries.delete(key);
  }
  clear() {
    this.entries.clear();
  }
}

export interface ReadCacheOptions {
  ttlMs?: number;
  maxEntries?: number;
}

type StoreMethod = (...args: never[]) => Promise<unknown>;

/**
 * What the cache does with one Store method. Every method has one (the plan below is typed over all of
 * `Store`), so a new method cannot reach the database past the cache without someone deciding which
 * cached entries it touches.
 * - `read`: a read the cache does not keep (lists, and reads that must be fresh);
 * - `writesNothingCached`: a write to rows no cache holds (SSH keys, Bintray, outbox, throttles, flows…);
 * - a function: a write, and the entries it touches, forgotten once it is done (and the generation bumped
 *   around it, so a read that overlapped it keeps nothing).
 */
type MethodPlan<M extends StoreMethod> = 'read' | 'writesNothingCached' | { cached: M } | { forget: (...args: Parameters<M>) => void };
export type CachePlan = { [K in keyof Store]: Store[K] extends StoreMethod ? MethodPlan<Store[K]> : never };

/** Frozen all the way down: an entry is shared by every request, so nobody may change it in place. */
function frozen<V>(value: V): V {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) frozen(inner);
    Object.freeze(value);
  }
  return value;
}

/** The Store with its hot-path reads cached; see the module comment for the guarantees. */
export function withReadCache(store: Store, options: ReadCacheOptions = {}): Store {
  const ttlMs = options.ttlMs ?? DEFAULT_CACHE_TTL_MS;
  const max = options.maxEntries ?? 50_000;
  if (ttlMs <= 0) return store;
  const usersById = new ExpiringMap<UserRecord | null>(ttlMs, max);
  const usersByName = new ExpiringMap<UserRecord | null>(ttlMs, max);
  const keys = new ExpiringMap<Awaited<ReturnType<Store['findApiKeyByLookupHash']>>>(ttlMs, max);
  const sessions = new ExpiringMap<Awaited<ReturnType<Store['findSession']>>>(ttlMs, max);
  const settings = new ExpiringMap<unknown>(ttlMs, 100);
  const failures = new ExpiringMap<Awaited<ReturnType<Store['findLoginFailure']>>>(ttlMs, max);
  const tokens = new ExpiringMap<Awaited<ReturnType<Store['findAccessToken']>>>(ttlMs, max);
  const tokensByReference = new ExpiringMap<Awaited<ReturnType<Store['findAccessToken']>>>(ttlMs, max);
  // Bumped around every write that touches cached rows: a read that overlapped one keeps nothing.
  let generation = 0;

  function cachedRead<A extends unknown[], V>(
    map: ExpiringMap<V>,
    keyOf: (...args: A) => string,
    read: (...args: A) => Promise<V>,
    keep: (v: V) => boolean = () => true,
  ) {
    return async (...args: A): Promise<V> => {
      const key = keyOf(...args);
      const hit = map.get(key);
      if (hit !== undefined) return hit;
      const before = generation;
      // A slow read must not stretch the bound: a value read across another process's write lives 900 ms from the read's start.
      const started = performance.now();
      const value = frozen(await read(...args));
      if (before === generation && keep(value)) map.set(key, value, started);
      return value;
    };
  }

  const forgetUser = (userId: number) => {
    usersById.delete(String(userId));
    usersByName.deleteWhere((user) => user?.id === userId);
  };
  const forgetUsersNamed = (nameKeys: string[] | null) => {
    if (nameKeys === null) {
      usersById.clear();
      usersByName.clear();
      return;
    }
    for (const nameKey of nameKeys) usersByName.delete(nameKey);
    const named = new Set(nameKeys);
    usersById.deleteWhere((user) => user !== null && named.has(user.nameKey));
  };
  /** A name's own failure count and its counts per address (`name-key address`). */
  const forgetFailuresOf = (nameKeys: string[] | null) => {
    if (nameKeys === null) return failures.clear();
    for (const nameKey of nameKeys) {
      failures.delete(nameKey);
      failures.deleteWhere((failure) => failure?.nameKey.startsWith(`${nameKey} `) === true);
    }
  };
  const forgetEverythingOf = (userId: number) => {
    forgetUser(userId);
    keys.deleteWhere((key) => key?.userId === userId);
    sessions.deleteWhere((session) => session?.userId === userId);
    tokens.deleteWhere((token) => token?.userId === userId);
    tokensByReference.deleteWhere((token) => token?.userId === userId);
  };

  const plan: CachePlan = {
    findUserById: {
      cached: cachedRead(
        usersById,
        (id) => String(id),
        (id) => store.findUserById(id),
      ),
    },
    findUserByNameKey: {
      cached: cachedRead(
        usersByName,
        (nameKey) => nameKey,
        (nameKey) => store.findUserByNameKey(nameKey),
      ),
    },
    // Unknown keys and sessions are not cached: a spray of random ones must not evict the real ones.
    findApiKeyByLookupHash: {
      cached: cachedRead(
        keys,
        (hash) => hash,
        (hash) => store.findApiKeyByLookupHash(hash),
        (v) => v !== null,
      ),
    },
    findSession: {
      cached: cachedRead(
        sessions,
        (hash) => hash,
        (hash) => store.findSession(hash),
        (v) => v !== null,
      ),
    },
    getSetting: {
      cached: cachedRead(
        settings,
        (key) => key,
        (key) => store.getSetting(key),
      ) as Store['getSetting'],
    },
    findLoginFailure: {
      cached: cachedRead(
        failures,
        (nameKey) => nameKey,
        (nameKey) => store.findLoginFailure(nameKey),
      ),
    },
    // Like keys and sessions, unknown tokens are not cached. Revoked ones are: they answer why.
    findAccessToken: {
      cached: cachedRead(
        tokens,
        (id) => id,
        (id) => store.findAccessToken(id),
        (v) => v !== null,
      ),
    },
    findAccessTokenByReference: {
      cached: cachedRead(
        tokensByReference,
        (hash) => hash,
        (hash) => store.findAccessTokenByReference(hash),
        (v) => v !== null,
      ),
    },

    listUsage: 'read',
    listSessions: 'read',
    listUsers: 'read',
    countUsers: 'read',
    countAdmins: 'read',
    listPasswordNoticeCandidates: 'read',
    listTokenReminderCandidates: 'read',
    listGroupNames: 'read',
    listGroupMembers: 'read',
    listLockCandidates: 'read',
    findApiKeyByUserId: 'read',
    anyApiKeyBelowFormat: 'read',
    anyLiveTokenCreatedBefore: 'read',
    findAccessTokenByRefresh: 'read',
    listAccessTokens: 'read',
    // Reservations compare against this one: it is always the database's.
    loadLoginFailure: 'read',
    listSshKeys: 'read',
    findSshKeyByFingerprint: 'read',
    findBintray: 'read',
    findPasswordReset: 'read',
    listDueMail: 'read',
    listUndeliveredMail: 'read',
    peekThrottle: 'read',
    listOAuthIdentities: 'read',
    findOAuthIdentity: 'read',
    findOAuthFlow: 'read',
    findOAuthFlowByClaim: 'read',
    findOAuthFlowByCompletion: 'read',
    findSamlRequest: 'read',
    listAuditEvents: 'read',

    recordAudit: 'writesNothingCached',
    // New rows: a key, token or session is cached only once found, never as missing.
    insertApiKeyIfAbsent: 'writesNothingCached',
    insertAccessToken: 'writesNothingCached',
    insertSession: 'writesNothingCached',
    insertSshKey: 'writesNothingCached',
    touchSshKey: 'writesNothingCached',
    recordUsage: 'writesNothingCached',
    putBintray: 'writesNothingCached',
    deleteBintray: 'writesNothingCached',
    insertPasswordReset: 'writesNothingCached',
    markMailDelivered: 'writesNothingCached',
    markMailFailed: 'writesNothingCached',
    hitThrottle: 'writesNothingCached',
    reserveTurn: 'writesNothingCached',
    insertOAuthIdentity: 'writesNothingCached',
    deleteOAuthIdentity: 'writesNothingCached',
    insertOAuthFlow: 'writesNothingCached',
    completeOAuthFlow: 'writesNothingCached',
    setOAuthFlowOutcome: 'writesNothingCached',
    takeOAuthFlowClaim: 'writesNothingCached',
    approveOAuthFlow: 'writesNothingCached',
    insertSamlRequest: 'writesNothingCached',
    deleteSamlRequest: 'writesNothingCached',

    // A name may be cached as unknown until it is made.
    insertUser: { forget: (user) => usersByName.delete(user.nameKey) },
    updateUser: {
      forget: (id, _changes, _audit, updateOptions) => {
        forgetUser(id);
        if (updateOptions && 'endSessionsExcept' in updateOptions)
          sessions.deleteWhere((session) => session?.userId === id && session.tokenHash !== updateOptions.endSessionsExcept);
      },
    },
    deleteUser: { forget: (id) => forgetEverythingOf(id) },
    setPasswordsExpired: { forget: (nameKeys) => forgetUsersNamed(nameKeys) },
    claimPasswordNotice: { forget: (userId) => forgetUser(userId) },
    replaceApiKey: { forget: (key) => keys.deleteWhere((cached) => cached?.userId === key.userId) },
    deleteApiKey: { forget: (userId) => keys.deleteWhere((cached) => cached?.userId === userId) },
    deleteAllApiKeys: { forget: () => keys.clear() },
    // Attempts change only their own counts; a lock changes the user.
    reserveLoginAttempt: { forget: (key) => failures.delete(key) },
    releaseLoginAttempt: { forget: (key) => failures.delete(key) },
    clearLoginFailures: {
      forget: (failureKeys) => {
        for (const key of failureKeys) failures.delete(key);
      },
    },
    recordSignInFailure: { forget: (lock) => lock && forgetUser(lock.userId) },
    unlockUsers: {
      forget: (nameKeys) => {
        forgetUsersNamed(nameKeys);
        forgetFailuresOf(nameKeys);
      },
    },
    putSetting: { forget: (key) => settings.delete(key) },
    deleteSetting: { forget: (key) => settings.delete(key) },
    // Removing an SSH key deletes the sessions (LFS tokens) it got: those must be refused at once.
    deleteSshKey: { forget: (userId, id) => sessions.deleteWhere((session) => session?.userId === userId && session.sshKeyId === id) },
    completePasswordReset: {
      forget: (_reset, user) => {
        forgetUser(user.id);
        sessions.deleteWhere((session) => session?.userId === user.id);
        forgetFailuresOf([user.nameKey]);
      },
    },
    // Rows past their use: expired sessions, and counts per name and address quiet for an hour.
    deleteExpired: {
      forget: (at) => {
        sessions.deleteWhere((session) => session !== null && session.expiresAt <= at);
        failures.deleteWhere((failure) => failure?.nameKey.includes(' ') === true);
      },
    },
    // A revocation reaches down every family the selected tokens made, which only the database can follow:
    // every cached token is forgotten (revocations are rare).
    revokeAccessTokens: {
      forget: () => {
        tokens.clear();
        tokensByReference.clear();
      },
    },
    recordLeak: {
      forget: (target) => {
        if (target === null) return;
        if ('apiKeyLookupHash' in target || 'previousApiKeyLookupHash' in target) {
          // The row is cached under each of its two hashes: both entries go.
          const hash = 'apiKeyLookupHash' in target ? target.apiKeyLookupHash : target.previousApiKeyLookupHash;
          keys.deleteWhere((cached) => cached?.lookupHash === hash || cached?.previousLookupHash === hash);
        } else if ('sessionHash' in target) sessions.delete(target.sessionHash);
        else {
          tokens.clear();
          tokensByReference.clear();
        }
      },
    },
    // Only the reminder mark changes, which decides no access; the cached copies go all the same (reminders are rare).
    claimTokenReminder: {
      forget: (tokenId) => {
        tokens.delete(tokenId);
        tokensByReference.deleteWhere((token) => token?.id === tokenId);
      },
    },
    replaceRefreshedToken: {
      forget: (oldId) => {
        tokens.delete(oldId);
        tokensByReference.deleteWhere((token) => token?.id === oldId);
      },
    },
    // Touches change nothing that decides access: the cached entry is replaced by a changed copy (by its
    // key: with many keys in use, a scan of the whole cache per touch added up). By id only: an entry
    // cached by reference hash keeps its old time until it expires (900 ms), at worst one touch more.
    touchAccessToken: { forget: (id, at) => tokens.update(id, (token) => (token ? frozen({ ...token, lastUsedAt: at }) : token)) },
    touchApiKey: {
      forget: (lookupHash, at) =>
        keys.update(lookupHash, (key) => (key ? frozen(key.lookupHash === lookupHash ? { ...key, lastUsedAt: at } : { ...key, previousLastUsedAt: at }) : key)),
    },
    endApiKeyOverlap: { forget: (userId) => keys.deleteWhere((cached) => cached?.userId === userId) },
    updateSession: { forget: (tokenHash, changes) => sessions.update(tokenHash, (session) => (session ? frozen({ ...session, ...changes }) : session)) },
    // A sign-in adds a session and changes only the user's last sign-in time.
    recordSignIn: { forget: (session) => forgetUser(session.userId) },
    deleteSession: { forget: (tokenHash) => sessions.delete(tokenHash) },
  };

  const cached: Record<string, unknown> = {};
  for (const [name, how] of Object.entries(plan) as [keyof Store, MethodPlan<StoreMethod>][]) {
    const direct = (store[name] as StoreMethod).bind(store);
    if (how === 'read' || how === 'writesNothingCached') cached[name] = direct;
    else if ('cached' in how) cached[name] = how.cached;
    else {
      const { forget } = how;
      cached[name] = async (...args: never[]) => {
        generation++;
        try {
          return await direct(...args);
        } finally {
          generation++;
          forget(...args);
        }
      };
    }
  }
  return cached as unknown as Store;
}

/** Remembers which (user, password) pairs were verified, so a script's Basic password costs an HMAC, not argon2. */
export interface PasswordCache {
  /** The cache key for this pair: an HMAC, so neither the password nor a plain hash of it is kept. */
  keyFor(nameKey: string, password: string): string;
  /** Whether this pair was verified against the user's current password hash. */
  verified(key: string, user: UserRecord): boolean;
  remember(key: string, user: UserRecord): void;
}

/** `sha256`: the key ring's (the runtime's fastest); its HMAC is keyed here by a secret of this cache's own. */
export function createPasswordCache(randomBytes: RandomBytes, sha256: Sha256, options: { ttlMs?: number; maxEntries?: number } = {}): PasswordCache {
  const mac = sha256.hmac(randomBytes(32));
  const entries = new ExpiringMap<{ userId: number; passwordHash: string }>(options.ttlMs ?? 10 * 60_000, options.maxEntries ?? 10_000);
  return {
    keyFor: (nameKey, password) => encodeHexLowerCase(mac(`${nameKey}\u0000${password}`)),
    verified(key, user) {
      const entry = entries.get(key);
      return entry !== undefined && entry.userId === user.id && entry.passwordHash === user.passwordHash;
    },
    remember(key, user) {
      if (user.passwordHash) entries.set(key, { userId: user.id, passwordHash: user.passwordHash });
    },
  };
}
