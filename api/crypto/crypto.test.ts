import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { API_KEY_PATTERN, checksumMatches, ENCRYPTED_PASSWORD_PATTERN, maskSecret, NEW_API_KEY_PATTERN } from '../../shared/formats';
import { webRandomBytes } from '../domain/ports';
import { createArgon2Hasher } from '../node/argon2';
import { nativeSha256 } from '../node/nativeSha256';
import { createKeyRing, parseMasterKey, portableSha256, seal, unseal } from './keyring';
import { createPbkdf2Hasher } from './pbkdf2';
import { apiKeyLookupHash, deriveEncryptedPassword, generateApiKey, generatePasswordStamp, generateSessionToken, storedTokenHash } from './secrets';

const ring = await createKeyRing(webRandomBytes(32));

describe('secrets', () => {
  it('makes API keys of the Artifactory shape, with every character of the alphabet in use', () => {
    const keys = Array.from({ length: 500 }, () => generateApiKey(webRandomBytes));
    for (const key of keys) {
      expect(key).toMatch(API_KEY_PATTERN);
      expect(key).toMatch(NEW_API_KEY_PATTERN);
      // jfrog-client-go's IsApiKey, and gitleaks' artifactory-api-key rule.
      expect(key.startsWith('AKCp8') && key.length >= 73).toBe(true);
      expect(key).toMatch(/\bAKCp[A-Za-z0-9]{69}\b/);
      // gitleaks' jfrog-api-key (a keyword near 73 letters and digits), Sonar's artifactory-api-key, detect-secrets'.
      expect(`artifactory_api_key = "${key}"`).toMatch(/(?:jfrog|artifactory).{0,40}\b([A-Za-z0-9]{73})\b/i);
      expect(key).toMatch(/\b(AKCp\d[A-Za-z0-9_-]{68})\b/);
      expect(` ${key}`).toMatch(/(?:\s|=|:|"|^)AKC[a-zA-Z0-9]{10,}/);
      // The last six are the checksum of the rest.
      expect(checksumMatches(key)).toBe(true);
    }
    expect(new Set(keys).size).toBe(500);
    // Keys issued before the `AKCp8` prefix are still recognised as keys.
    expect(`AKCpX${'a'.repeat(68)}`).toMatch(API_KEY_PATTERN);
    expect(`AKCpX${'a'.repeat(68)}`).not.toMatch(NEW_API_KEY_PATTERN);
    const seen = new Set(keys.join('').slice(0));
    expect(seen.size).toBe(62);
  });

  it('derives a stable encrypted password per user and stamp, different under another master key', async () => {
    const stamp = generatePasswordStamp(webRandomBytes);
    const a = deriveEncryptedPassword(ring, 7, stamp);
    expect(a).toMatch(ENCRYPTED_PASSWORD_PATTERN);
    expect(a).toMatch(/^AP1[A-Za-z0-9]{43}$/);
    expect(deriveEncryptedPassword(ring, 7, stamp)).toBe(a);
    expect(deriveEncryptedPassword(ring, 8, stamp)).not.toBe(a);
    expect(deriveEncryptedPassword(ring, 7, generatePasswordStamp(webRandomBytes))).not.toBe(a);
    expect(deriveEncryptedPassword(await createKeyRing(webRandomBytes(32)), 7, stamp)).not.toBe(a);
  });

  it('looks keys up by a keyed hash that does not contain the key', () => {
    const key = generateApiKey(webRandomBytes);
    const hash = apiKeyLookupHash(ring, key);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(apiKeyLookupHash(ring, key)).toBe(hash);
  });

  it('masks to the first and last four characters', () => {
    expect(maskSecret(`AKCp${'x'.repeat(65)}abcd`)).toBe('AKCp••••••••abcd');
    expect(maskSecret('short')).toBe('••••••••');
  });
});

describe('sealing', () => {
  it('round-trips, and refuses another context, another key or a damaged value', async () => {
    const sealed = await seal(ring, 'AKCpsecret', 'api-key:1', webRandomBytes);
    expect(sealed).not.toContain('AKCpsecret');
    expect(await unseal(ring, sealed, 'api-key:1')).toBe('AKCpsecret');
    expect(await unseal(ring, sealed, 'api-key:2')).toBeNull();
    expect(await unseal(await createKeyRing(webRandomBytes(32)), sealed, 'api-key:1')).toBeNull();
    // Tampered: the last two characters changed (to something else than they were, whatever they were).
    const tail = sealed.slice(-2) === 'AA' ? 'BB' : 'AA';
    expect(await unseal(ring, sealed.slice(0, -2) + tail, 'api-key:1')).toBeNull();
    expect(await unseal(ring, 'garbage', 'api-key:1')).toBeNull();
  });

  it('reads only 32-byte base64 master keys', () => {
    expect(parseMasterKey(Buffer.alloc(32, 1).toString('base64'))).toHaveLength(32);
    expect(() => parseMasterKey('abc')).toThrow();
    expect(() => parseMasterKey(Buffer.alloc(31).toString('base64'))).toThrow(/32 bytes/);
  });
});

describe('password hashers', () => {
  it('argon2id with OWASP parameters verifies, refuses wrong passwords, and flags other parameters for rehash', async () => {
    const hasher = createArgon2Hasher();
    const hash = await hasher.hash('correct horse');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await hasher.verify(hash, 'correct horse')).toBe(true);
    expect(await hasher.verify(hash, 'wrong horse')).toBe(false);
    expect(await hasher.verify('$argon2id$garbage', 'x')).toBe(false);
    expect(hasher.needsRehash(hash)).toBe(false);
    const weaker = await createArgon2Hasher({ memoryCost: 4096, timeCost: 1, parallelism: 1 }).hash('correct horse');
    expect(hasher.needsRehash(weaker)).toBe(true);
  });

  it('PBKDF2 (Web Crypto) verifies, refuses wrong passwords and damaged hashes', async () => {
    const hasher = createPbkdf2Hasher(webRandomBytes, 1000);
    const hash = await hasher.hash('correct horse');
    expect(hash).toMatch(/^\$pbkdf2-sha256\$i=1000\$/);
    expect(await hasher.verify(hash, 'correct horse')).toBe(true);
    expect(await hasher.verify(hash, 'wrong horse')).toBe(false);
    expect(await hasher.verify('$pbkdf2-sha256$i=99999999$a$b', 'x')).toBe(false);
    expect(createPbkdf2Hasher(webRandomBytes).needsRehash(hash)).toBe(true);
  });
});

describe('hashes cross runtimes', () => {
  it('verifies native argon2id hashes in pure JavaScript, and PBKDF2 hashes on Node, each flagged for rehash', async () => {
    const { pureArgon2idVerifier, withForeignVerifiers } = await import('./hashers');
    const { pbkdf2Verifier } = await import('./pbkdf2');
    const native = createArgon2Hasher();
    const argonHash = await native.hash('correct horse');
    expect(await pureArgon2idVerifier.verify(argonHash, 'correct horse')).toBe(true);
    expect(await pureArgon2idVerifier.verify(argonHash, 'wrong horse')).toBe(false);

    const workers = withForeignVerifiers(createPbkdf2Hasher(webRandomBytes, 1000), [pureArgon2idVerifier]);
    expect(await workers.verify(argonHash, 'correct horse')).toBe(true);
    expect(workers.needsRehash(argonHash)).toBe(true);

    const node = withForeignVerifiers(native, [pbkdf2Verifier()]);
    const pbkdf2Hash = await createPbkdf2Hasher(webRandomBytes).hash('correct horse');
    expect(await node.verify(pbkdf2Hash, 'correct horse')).toBe(true);
    expect(await node.verify(pbkdf2Hash, 'wrong horse')).toBe(false);
    expect(node.needsRehash(pbkdf2Hash)).toBe(true);
  }, 30_000);
});

describe('the same secrets on every runtime, and across versions', () => {
  it('Node’s native SHA-256 and the portable one give the same lookup hashes, encrypted passwords and token hashes', async () => {
    const master = webRandomBytes(32);
    const portable = await createKeyRing(master);
    const native = await createKeyRing(master, nativeSha256);
    for (let i = 0; i < 50; i++) {
      const key = generateApiKey(webRandomBytes);
      expect(apiKeyLookupHash(native, key)).toBe(apiKeyLookupHash(portable, key));
      const stamp = generatePasswordStamp(webRandomBytes);
      expect(deriveEncryptedPassword(native, i, stamp)).toBe(deriveEncryptedPassword(portable, i, stamp));
      const token = generateSessionToken(webRandomBytes);
      expect(storedTokenHash(native, token)).toBe(storedTokenHash(portable, token));
    }
  });

  it('computes HMAC-SHA256 and SHA-256 exactly as node:crypto does, for any text and key', () => {
    const messages = [
      '',
      'Ünïcødé:ключ',
      '🔑 key',
      '\u00ff\u0000',
      'x'.repeat(341), // the longest that fits the native HMAC's preallocated buffer even if all 3-byte
      'é'.repeat(400), // past it: encoded on its own
      'y'.repeat(5000),
      'short again, after long ones', // nothing of an earlier message is left in the shared buffer
    ];
    for (const key of [webRandomBytes(32), webRandomBytes(64), webRandomBytes(100), new Uint8Array(0)]) {
      const [native, portable] = [nativeSha256.hmac(key), portableSha256.hmac(key)];
      for (const message of messages) {
        const expected = createHmac('sha256', key).update(message, 'utf8').digest();
        expect(Buffer.from(native(message))).toEqual(expected);
        expect(Buffer.from(portable(message))).toEqual(expected);
      }
    }
    for (const message of messages) {
      const expected = createHash('sha256').update(message, 'utf8').digest('hex');
      expect(nativeSha256.hex(message)).toBe(expected);
      expect(portableSha256.hex(message)).toBe(expected);
    }
  });

  it('encodes encrypted passwords exactly as the first version did (BigInt base62), so none changes on upgrade', async () => {
    const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
    const bigintBase62 = (bytes: Uint8Array) => {
      let n = BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
      let out = '';
      while (n > 0n) {
        out = alphabet[Number(n % 62n)] + out;
        n /= 62n;
      }
      return out.padStart(43, '0');
    };
    const stamp = generatePasswordStamp(webRandomBytes);
    for (let userId = 1; userId < 200; userId++) {
      const mac = ring.encryptedPasswordMac(`password:${userId}:${stamp}`);
      expect(deriveEncryptedPassword(ring, userId, stamp)).toBe(`AP1${bigintBase62(mac)}`);
    }
    expect(bigintBase62(new Uint8Array(32).fill(255))).toHaveLength(43);
  });
});
