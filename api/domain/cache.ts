/**
 * Caches that make checking a credential cost close to nothing, without weakening revocation:
 * - a read cache around the Store: every local write invalidates it, so in one process a revoked key,
 *   a changed password or an ended session is refused on its very next request; entries live at most
 *   `ttlMs` (1 s), which bounds how long another process's write takes to be seen;
 * - a cache of verified passwords, keyed by an HMAC under a random per-process key (never by the
 *   password), valid only while the user's stored hash is the one it was verified against.
 */
import { encodeHexLowerCase } from '@oslojs/encoding';
import type { Sha256 } from '../crypto/keyring';
import type { RandomBytes, Store, UserRecord } from './ports';

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
  set(key: string, value: V) {
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, { value, until: performance.now() + this.ttlMs });
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
  // Bumped around every write: a read that overlapped a write must not put what it read into the cache.
  let generation = 0;

  function cachedRead<A extends unknown[], V>(map: ExpiringMap<V>, keyOf: (...args: A) => string, read: (...args: A) => Promise<V>, keep: (v: V) => boolean = () => true) {
    return async (...args: A): Promise<V> => {
      const key = keyOf(...args);
      const hit = map.get(key);
      if (hit !== undefined) return hit;
      const before = generation;
      const value = await read(...args);
      if (before === generation && keep(value)) map.set(key, value);
      return value;
    };
  }
  const invalidateAll = () => {
    generation++;
    for (const map of [usersById, usersByName, keys, sessions, settings, failures]) map.clear();
  };
  function writing<A extends unknown[], R>(write: (...args: A) => Promise<R>, after: (...args: A) => void = invalidateAll) {
    return async (...args: A): Promise<R> => {
      generation++;
      try {
        return await write(...args);
      } finally {
        after(...args);
      }
    };
  }

  return {
    // Everything not listed below reads or writes nothing these caches hold (SSH keys, Bintray, outbox,
    // throttles, OAuth flows…) and goes straight to the store. A new write that changes a cached row must
    // be listed, wrapped in `writing`.
    ...store,
    findUserById: cachedRead(usersById, (id) => String(id), (id) => store.findUserById(id)),
    findUserByNameKey: cachedRead(usersByName, (nameKey) => nameKey, (nameKey) => store.findUserByNameKey(nameKey)),
    // Unknown keys and sessions are not cached: a spray of random ones must not evict the real ones.
    findApiKeyByLookupHash: cachedRead(keys, (hash) => hash, (hash) => store.findApiKeyByLookupHash(hash), (v) => v !== null),
    findSession: cachedRead(sessions, (hash) => hash, (hash) => store.findSession(hash), (v) => v !== null),
    getSetting: cachedRead(settings, (key) => key, (key) => store.getSetting(key)) as Store['getSetting'],
    findLoginFailure: cachedRead(failures, (nameKey) => nameKey, (nameKey) => store.findLoginFailure(nameKey)),

    insertUser: writing(store.insertUser),
    updateUser: writing(store.updateUser),
    deleteUser: writing(store.deleteUser),
    insertApiKeyIfAbsent: writing(store.insertApiKeyIfAbsent),
    replaceApiKey: writing(store.replaceApiKey),
    deleteApiKey: writing(store.deleteApiKey),
    deleteAllApiKeys: writing(store.deleteAllApiKeys),
    lockUser: writing(store.lockUser),
    recordLoginFailure: writing(store.recordLoginFailure),
    clearLoginFailures: writing(store.clearLoginFailures),
    unlockUsers: writing(store.unlockUsers),
    putSetting: writing(store.putSetting),
    deleteSetting: writing(store.deleteSetting),
    // Removing an SSH key deletes the sessions (LFS tokens) it got: those must be refused at once.
    deleteSshKey: writing(store.deleteSshKey),
    completePasswordReset: writing(store.completePasswordReset),
    // Deletes only rows past their use (a cached expired session is refused on its expiry anyway), but a
    // pass is rare enough that forgetting everything costs nothing.
    deleteExpired: writing(store.deleteExpired),
    // Touches change nothing that decides access: they update the cached entry instead of flushing (by
    // its key: with many keys in use, a scan of the whole cache per touch added up).
    touchApiKey: writing(store.touchApiKey, (lookupHash, at) => {
      generation++;
      keys.update(lookupHash, (key) => (key ? { ...key, lastUsedAt: at } : key));
    }),
    updateSession: writing(store.updateSession, (tokenHash, changes) => {
      generation++;
      sessions.update(tokenHash, (session) => (session ? { ...session, ...changes } : session));
    }),
    // A sign-in adds a session and changes only the user's last sign-in time: forget just that user.
    recordSignIn: writing(store.recordSignIn, (session) => {
      generation++;
      usersById.delete(String(session.userId));
      usersByName.deleteWhere((user) => user?.id === session.userId);
    }),
    deleteSession: writing(store.deleteSession, (tokenHash) => {
      generation++;
      sessions.delete(tokenHash);
    }),
  };
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
