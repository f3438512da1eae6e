/**
 * The read cache over a real libSQL database (in memory), with every Store call counted: a write forgets
 * exactly the entries it touches, a read that overlaps a write keeps nothing, and entries cannot be changed
 * in place.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { counted, memoryStore, newUser } from '../testing/memoryStore';
import { NO_OVERLAP } from './apiKeyOverlap';
import { withReadCache } from './cache';
import type { Store } from './ports';

describe('the read cache', () => {
  let raw: ReturnType<typeof counted>;
  let cache: Store;
  let alice: number;
  let bob: number;

  beforeEach(async () => {
    const store = await memoryStore();
    alice = (await store.insertUser(newUser('alice'), []))!.id;
    bob = (await store.insertUser(newUser('bob'), []))!.id;
    for (const [userId, hash] of [
      [alice, 'key-a'],
      [bob, 'key-b'],
    ] as const) {
      await store.insertApiKeyIfAbsent({ userId, lookupHash: hash, sealed: 'v1.x', formatVersion: 2, createdAt: 1, lastUsedAt: null, ...NO_OVERLAP }, []);
    }
    raw = counted(store);
    cache = withReadCache(raw.store, { ttlMs: 60_000 });
  });

  const readAll = async () => {
    await cache.findUserById(alice);
    await cache.findUserById(bob);
    await cache.findUserByNameKey('alice');
    await cache.findUserByNameKey('bob');
    await cache.findApiKeyByLookupHash('key-a');
    await cache.findApiKeyByLookupHash('key-b');
  };
  const reads = () => ({ ...raw.calls });

  it('reads each entry once', async () => {
    await readAll();
    await readAll();
    expect(reads()).toEqual({ findUserById: 2, findUserByNameKey: 2, findApiKeyByLookupHash: 2 });
  });

  it('forgets only the user a write changed', async () => {
    await readAll();
    await cache.updateUser(alice, { email: 'new@example.com' }, []);
    await readAll();
    // Alice is read again by id and by name; Bob and both keys come from the cache.
    expect(reads()).toEqual({ findUserById: 3, findUserByNameKey: 3, findApiKeyByLookupHash: 2, updateUser: 1 });
    expect((await cache.findUserByNameKey('alice'))?.email).toBe('new@example.com');
  });

  it('forgets only the key a revocation removed, and answers its absence at once', async () => {
    await readAll();
    await cache.deleteApiKey(alice, []);
    expect(await cache.findApiKeyByLookupHash('key-a')).toBeNull();
    await readAll();
    // key-a is asked for again (and, missing, is not cached); nothing else is.
    expect(reads()).toEqual({ findUserById: 2, findUserByNameKey: 2, findApiKeyByLookupHash: 4, deleteApiKey: 1 });
  });

  it('forgets a name cached as unknown once a user of that name is made', async () => {
    expect(await cache.findUserByNameKey('carol')).toBeNull();
    expect(await cache.findUserByNameKey('carol')).toBeNull();
    expect(raw.calls.findUserByNameKey).toBe(1);
    await cache.insertUser(newUser('carol'), []);
    expect((await cache.findUserByNameKey('carol'))?.name).toBe('carol');
  });

  it('keeps a failed sign-in that locked nobody from touching any user', async () => {
    await readAll();
    await cache.recordSignInFailure(null, []);
    await cache.recordSignInFailure({ userId: bob, at: 5 }, []);
    await readAll();
    expect(raw.calls.findUserById).toBe(3);
    expect((await cache.findUserById(bob))?.lockedAt).toBe(5);
  });

  it('goes straight to the store for writes it holds nothing of', async () => {
    await readAll();
    await cache.insertSamlRequest('id-1', '2026-12-02T08:00:00Z', 2);
    await cache.hitThrottle('reset:alice', 60_000, 1);
    await readAll();
    expect(raw.calls.findUserById).toBe(2);
  });

  it('keeps nothing a read fetched while a write was under way', async () => {
    let open!: () => void;
    raw.hold('findUserById', new Promise<void>((resolve) => (open = resolve)));
    const slowRead = cache.findUserById(alice);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await cache.updateUser(alice, { email: 'changed@example.com' }, []);
    open();
    // The read began before the write: its answer may be either, but it must not stay in the cache.
    await slowRead;
    raw.hold('none', Promise.resolve());
    expect((await cache.findUserById(alice))?.email).toBe('changed@example.com');
  });

  it('hands out entries that cannot be changed in place', async () => {
    const user = (await cache.findUserById(alice))!;
    expect(() => {
      (user as { admin: boolean }).admin = true;
    }).toThrow(TypeError);
    expect(() => user.groups.push('admins')).toThrow(TypeError);
    expect((await cache.findUserById(alice))?.admin).toBe(false);
  });
});
