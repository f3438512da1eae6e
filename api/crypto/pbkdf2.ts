/**
 * Password hashing with Web Crypto only: PBKDF2-HMAC-SHA256 at 100,000 iterations, the most a single
 * Cloudflare Workers call allows. For runtimes without native argon2. Hashes are PHC-style strings,
 * `$pbkdf2-sha256$i=100000$<salt>$<hash>` (base64, no padding).
 */
import { decodeBase64IgnorePadding, encodeBase64NoPadding } from '@oslojs/encoding';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import type { PasswordHasher, RandomBytes } from '../domain/ports';
import type { ForeignVerifier } from './hashers';

export const PBKDF2_ITERATIONS = 100_000;
const PREFIX = '$pbkdf2-sha256$';
const SALT_BYTES = 16;
const HASH_BITS = 256;

async function derive(password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(password), 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: new Uint8Array(salt), iterations }, key, HASH_BITS);
  return new Uint8Array(bits);
}

function parse(phc: string): { iterations: number; salt: Uint8Array; hash: Uint8Array } | null {
  if (!phc.startsWith(PREFIX)) return null;
  const [params, salt, hash] = phc.slice(PREFIX.length).split('$');
  const iterations = Number(/^i=(\d+)$/.exec(params ?? '')?.[1]);
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > PBKDF2_ITERATIONS || !salt || !hash) return null;
  try {
    return { iterations, salt: decodeBase64IgnorePadding(salt), hash: decodeBase64IgnorePadding(hash) };
  } catch {
    return null;
  }
}

/** Verifies PBKDF2 hashes made on Workers, for runtimes whose own hasher is argon2id. */
export function pbkdf2Verifier(): ForeignVerifier {
  const hasher = createPbkdf2Hasher(() => new Uint8Array(0));
  return { recognizes: (phc) => phc.startsWith(PREFIX), verify: hasher.verify };
}

export function createPbkdf2Hasher(randomBytes: RandomBytes, iterations = PBKDF2_ITERATIONS): PasswordHasher {
  return {
    async hash(password) {
      const salt = randomBytes(SALT_BYTES);
      const hash = await derive(password, salt, iterations);
      return `${PREFIX}i=${iterations}$${encodeBase64NoPadding(salt)}$${encodeBase64NoPadding(hash)}`;
    },
    async verify(phc, password) {
      const parsed = parse(phc);
      if (!parsed) return false;
      return constantTimeEqual(await derive(password, parsed.salt, parsed.iterations), parsed.hash);
    },
    needsRehash(phc) {
      return parse(phc)?.iterations !== iterations;
    },
  };
}
