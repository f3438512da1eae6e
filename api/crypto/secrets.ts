/**
 * Making and checking Keyfob's secrets. Hot-path checks (lookup hashes, encrypted passwords, session
 * hashes) use the key ring's synchronous SHA-256: the runtime's native one, or pure JS (an awaited
 * crypto.subtle digest costs about twice the pure-JS one on Node).
 */
import { generateRandomString, type RandomReader } from '@oslojs/crypto/random';
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';
import {
  API_KEY_PREFIX,
  API_KEY_RANDOM_LENGTH,
  ENCRYPTED_PASSWORD_VERSION,
  REFRESH_TOKEN_PREFIX,
  SESSION_TOKEN_PREFIX,
  withChecksum,
} from '../../shared/formats';
import type { RandomBytes } from '../domain/ports';
import type { KeyRing } from './keyring';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function reader(randomBytes: RandomBytes): RandomReader {
  return { read: (bytes) => bytes.set(randomBytes(bytes.length)) };
}

/**
 * `AKCp8` + 62 characters of `[A-Za-z0-9]` drawn without bias from the CSPRNG (370 bits) + the six-character
 * checksum of all that: 73 in all, the shape jfrog-client-go and secret scanners recognise.
 */
export function generateApiKey(randomBytes: RandomBytes): string {
  return withChecksum(API_KEY_PREFIX + generateRandomString(reader(randomBytes), BASE62, API_KEY_RANDOM_LENGTH));
}

/** The keyed hash an API key is stored and looked up by. */
export function apiKeyLookupHash(ring: KeyRing, apiKey: string): string {
  return encodeHexLowerCase(ring.lookupMac(apiKey));
}

/** A random value that changes with every password; the encrypted password is derived from it. */
export function generatePasswordStamp(randomBytes: RandomBytes): string {
  return encodeHexLowerCase(randomBytes(16));
}

/** Base62 of a 32-byte value, 43 characters: long division on 16-bit limbs (no BigInt: this is on the hot path). */
function base62(bytes: Uint8Array): string {
  const limbs: number[] = [];
  for (let i = 0; i < bytes.length; i += 2) limbs.push((bytes[i]! << 8) | (bytes[i + 1] ?? 0));
  let out = '';
  for (let digit = 0; digit < 43; digit++) {
    let remainder = 0;
    for (let i = 0; i < limbs.length; i++) {
      const value = remainder * 65536 + limbs[i]!;
      limbs[i] = Math.floor(value / 62);
      remainder = value % 62;
    }
    out = BASE62[remainder] + out;
  }
  return out;
}

/**
 * Artifactory's "encrypted password": `AP1` + base62 of HMAC(master-derived key, user, password stamp).
 * Nothing is stored: it is the same on every unlock, and dies when the password (stamp) or master key changes.
 */
export function deriveEncryptedPassword(ring: KeyRing, userId: number, passwordStamp: string): string {
  const mac = ring.encryptedPasswordMac(`password:${userId}:${passwordStamp}`);
  return `AP${ENCRYPTED_PASSWORD_VERSION.password}${base62(mac)}`;
}

/** The encrypted form of an API key (`AP2…`), what Artifactory answers when asked with a key. */
export function deriveEncryptedApiKey(ring: KeyRing, userId: number, apiKeyLookupHashHex: string): string {
  const mac = ring.encryptedPasswordMac(`api-key:${userId}:${apiKeyLookupHashHex}`);
  return `AP${ENCRYPTED_PASSWORD_VERSION.apiKey}${base62(mac)}`;
}

/**
 * Compares two secrets in time that depends only on their length. Code unit by code unit, without
 * encoding either to bytes: encoding two strings cost more than the comparison on the encrypted-password path.
 */
export function secretsEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

/** The prefix, 160 random bits in base32, and the checksum of both (a typo is refused without a read). */
function opaqueToken(prefix: string, randomBytes: RandomBytes): string {
  return withChecksum(prefix + encodeBase32LowerCaseNoPadding(randomBytes(20)));
}

/** An opaque session token (also a Git LFS token). Only its SHA-256 is stored (Lucia's scheme). */
export function generateSessionToken(randomBytes: RandomBytes): string {
  return opaqueToken(SESSION_TOKEN_PREFIX, randomBytes);
}

/** An opaque refresh token. Only its SHA-256 is stored. */
export function generateRefreshToken(randomBytes: RandomBytes): string {
  return opaqueToken(REFRESH_TOKEN_PREFIX, randomBytes);
}

/** SHA-256 of a bearer or single-use token, in hex: what is stored instead of the token itself (sessions,
 * reset links, OAuth and SAML flow states and claims). */
export function storedTokenHash(ring: KeyRing, token: string): string {
  return ring.sha256.hex(token);
}
