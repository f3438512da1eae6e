/**
 * Password hashing on Node: argon2id with OWASP's parameters (19 MiB, 2 passes, 1 lane), native and off
 * the event loop (@node-rs/argon2 runs each hash on libuv's thread pool).
 */
import { hash, parseOptions, verify } from '@node-rs/argon2';
import type { PasswordHasher } from '../domain/ports';

export const OWASP_ARGON2ID = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
const ARGON2ID = 2; // Algorithm.Argon2id: a const enum, which isolated modules cannot import.

export function createArgon2Hasher(params: { memoryCost: number; timeCost: number; parallelism: number } = OWASP_ARGON2ID): PasswordHasher {
  return {
    hash: (password) => hash(password, { ...params, algorithm: ARGON2ID }),
    async verify(phc, password) {
      if (!phc.startsWith('$argon2')) return false;
      try {
        return await verify(phc, password);
      } catch {
        return false; // A damaged hash is a failed check, not a crash.
      }
    },
    needsRehash(phc) {
      if (!phc.startsWith('$argon2id$')) return true;
      try {
        const current = parseOptions(phc);
        return current.memoryCost !== params.memoryCost || current.timeCost !== params.timeCost || current.parallelism !== params.parallelism;
      } catch {
        return true;
      }
    },
  };
}
