/**
 * Hashes made on one runtime must verify on another that shares the database: Node (argon2id, native)
 * and Workers (PBKDF2, Web Crypto) each verify the other's format, and the next successful sign-in
 * rehashes to the runtime's own (`needsRehash` is true for any foreign format).
 */
import { argon2idAsync } from '@noble/hashes/argon2';
import { decodeBase64IgnorePadding } from '@oslojs/encoding';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import type { PasswordHasher } from '../domain/ports';

/** Verifies hashes of one format that the runtime's own hasher does not make. */
export interface ForeignVerifier {
  recognizes(phc: string): boolean;
  verify(phc: string, password: string): Promise<boolean>;
}

export function withForeignVerifiers(own: PasswordHasher, foreign: ForeignVerifier[]): PasswordHasher {
  return {
    hash: own.hash,
    needsRehash: own.needsRehash,
    verify: (phc, password) => (foreign.find((v) => v.recognizes(phc)) ?? own).verify(phc, password),
  };
}

const ARGON2ID_PHC = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;
// Enough for OWASP's 19 MiB and the 64 MiB some deployments choose, within a Worker's 128 MB.
const MAX_MEMORY_KIB = 65_536;

/**
 * argon2id in pure JavaScript (@noble/hashes), for runtimes without native argon2. Slow (about 0.7 s of
 * CPU at OWASP's parameters), so it is only used once per user before the rehash.
 */
export const pureArgon2idVerifier: ForeignVerifier = {
  recognizes: (phc) => phc.startsWith('$argon2id$'),
  async verify(phc, password) {
    const match = ARGON2ID_PHC.exec(phc);
    if (!match) return false;
    const [m, t, p] = [Number(match[1]), Number(match[2]), Number(match[3])];
    if (m > MAX_MEMORY_KIB || t > 10 || p > 4) return false;
    const expected = decodeBase64IgnorePadding(match[5]!);
    const actual = await argon2idAsync(new TextEncoder().encode(password), decodeBase64IgnorePadding(match[4]!), { m, t, p, dkLen: expected.length });
    return constantTimeEqual(actual, expected);
  },
};
