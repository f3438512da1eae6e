/**
 * The API key's checksum, over a real libSQL store with its calls counted: every one-character typo and
 * every swap of neighbours is refused, and refused without a database read once no key from before the
 * checksum is left; while some are, a key that fails the check is still looked up (it may be one of them).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { API_KEY_PREFIX, checksumMatches, checksumOf, crc32, withChecksum } from '../../shared/formats';
import { createKeyRing, seal } from '../crypto/keyring';
import { createPbkdf2Hasher } from '../crypto/pbkdf2';
import { apiKeyLookupHash } from '../crypto/secrets';
import { counted, memoryStore, newUser } from '../testing/memoryStore';
import { NO_OVERLAP } from './apiKeyOverlap';
import { createApiKey, regenerateApiKey } from './apiKeys';
import { authenticate } from './credentials';
import { DEFAULT_DOMAIN_SETTINGS, type DomainDeps } from './deps';
import { systemClock, webRandomBytes } from './ports';

const ctx = { clientAddress: '127.0.0.1', userAgent: 'vitest' };
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Every value one character away from `key` in its alphabet, and every swap of two different neighbours. */
function typosOf(key: string): string[] {
  const typos: string[] = [];
  for (let i = API_KEY_PREFIX.length; i < key.length; i++) {
    for (const c of ALPHABET) if (c !== key[i]) typos.push(key.slice(0, i) + c + key.slice(i + 1));
    if (i + 1 < key.length && key[i] !== key[i + 1]) typos.push(key.slice(0, i) + key[i + 1] + key[i] + key.slice(i + 2));
  }
  return typos;
}

describe('the checksum', () => {
  it('is zlib’s CRC-32 in six base62 characters', () => {
    // zlib.crc32('123456789') is the standard check value 0xcbf43926.
    expect(crc32('123456789')).toBe(0xcbf43926);
    // 3421780262 in base62, most significant digit first.
    expect(checksumOf('123456789')).toBe('3jZRME');
    expect(withChecksum('AKCp8abc')).toHaveLength(14);
    expect(checksumMatches(withChecksum('AKCp8abc'))).toBe(true);
  });
});

describe('an API key with a typo', () => {
  let deps: DomainDeps;
  let calls: Record<string, number>;
  let apiKey: string;

  beforeEach(async () => {
    const store = await memoryStore();
    const user = (await store.insertUser(newUser('carol'), []))!;
    const raw = counted(store);
    calls = raw.calls;
    deps = {
      store: raw.store,
      clock: systemClock,
      randomBytes: webRandomBytes,
      hasher: createPbkdf2Hasher(webRandomBytes, 1000),
      keys: await createKeyRing(webRandomBytes(32)),
      settings: DEFAULT_DOMAIN_SETTINGS,
    };
    const made = await createApiKey(deps, ctx, user);
    if (!made.ok) throw new Error('no key');
    apiKey = made.value.apiKey;
  });

  it('is refused, every one of them, without the key being looked up', async () => {
    expect(checksumMatches(apiKey)).toBe(true);
    const typos = typosOf(apiKey);
    expect(typos.length).toBeGreaterThan(68 * 61);
    for (const typo of typos) expect(checksumMatches(typo), typo).toBe(false);

    // The first miss asks once whether keys from before the checksum exist; none do, so never again.
    expect((await authenticate(deps, ctx, { kind: 'apiKeyHeader', apiKey: typos[0]! })).ok).toBe(false);
    for (const key of Object.keys(calls)) delete calls[key];
    for (const typo of typos.slice(1, 200)) {
      expect((await authenticate(deps, ctx, { kind: 'apiKeyHeader', apiKey: typo })).ok).toBe(false);
      expect((await authenticate(deps, ctx, { kind: 'basic', username: 'carol', password: typo })).ok).toBe(false);
    }
    expect(calls).toEqual({});

    // The key itself is read, and works.
    const good = await authenticate(deps, ctx, { kind: 'apiKeyHeader', apiKey });
    expect(good.ok && good.value.user.name).toBe('carol');
    expect(calls.findApiKeyByLookupHash).toBe(1);
  });

  it('is looked up while keys from before the checksum remain, and such a key keeps working', async () => {
    const legacyOwner = (await deps.store.insertUser(newUser('dave'), []))!;
    // A format-2 key: `AKCp8` and 68 random characters, whose last six are (almost surely) no checksum.
    let legacy = `${API_KEY_PREFIX}${'q'.repeat(62)}`;
    legacy += checksumOf(legacy) === 'abcdef' ? 'abcdeg' : 'abcdef';
    await deps.store.insertApiKeyIfAbsent(
      { userId: legacyOwner.id, lookupHash: apiKeyLookupHash(deps.keys, legacy), sealed: 'x', formatVersion: 2, createdAt: 1, lastUsedAt: null, ...NO_OVERLAP },
      [],
    );
    const viaLegacy = await authenticate(deps, ctx, { kind: 'apiKeyHeader', apiKey: legacy });
    expect(viaLegacy.ok && viaLegacy.value.user.name).toBe('dave');
    for (const key of Object.keys(calls)) delete calls[key];
    expect((await authenticate(deps, ctx, { kind: 'apiKeyHeader', apiKey: typosOf(apiKey)[0]! })).ok).toBe(false);
    expect(calls.findApiKeyByLookupHash).toBe(1);
  });

  it('still looks up a key from before the checksum while it overlaps its successor', async () => {
    const owner = (await deps.store.insertUser(newUser('erin'), []))!;
    const legacy = `${API_KEY_PREFIX}${'r'.repeat(62)}abcdef`;
    expect(checksumMatches(legacy)).toBe(false);
    await deps.store.insertApiKeyIfAbsent(
      {
        userId: owner.id,
        lookupHash: apiKeyLookupHash(deps.keys, legacy),
        sealed: await seal(deps.keys, legacy, `api-key:${owner.id}`, webRandomBytes),
        formatVersion: 2,
        createdAt: 1,
        lastUsedAt: null,
        ...NO_OVERLAP,
      },
      [],
    );
    // The last format-2 row becomes format 3; its old key, overlapping, is format 2 still.
    const made = await regenerateApiKey(deps, ctx, owner, 3_600_000);
    expect(made.ok).toBe(true);
    const viaOld = await authenticate(deps, ctx, { kind: 'apiKeyHeader', apiKey: legacy });
    expect(viaOld.ok && viaOld.value.user.name).toBe('erin');
  });
});
