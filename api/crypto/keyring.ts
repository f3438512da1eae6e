/**
 * Everything derived from the server's master key. Each purpose gets its own subkey (HKDF-SHA256 with a
 * purpose label), so a leak of one derived value says nothing about the others or the master key.
 * Web Crypto only: runs on every runtime Keyfob supports.
 */
import { hmac } from '@oslojs/crypto/hmac';
import { SHA256 } from '@oslojs/crypto/sha2';
import { decodeBase64, encodeBase64urlNoPadding, decodeBase64urlIgnorePadding } from '@oslojs/encoding';
import type { RandomBytes } from '../domain/ports';

export const MASTER_KEY_LENGTH = 32;

/** HMAC-SHA256, synchronous: pure JS (@oslojs) everywhere, or the runtime's native one where it has it. */
export type HmacSha256 = (key: Uint8Array, message: Uint8Array) => Uint8Array;

export const portableHmacSha256: HmacSha256 = (key, message) => hmac(SHA256, key, message);

export interface KeyRing {
  /** The HMAC the lookup hash and the encrypted password are made with. */
  hmac: HmacSha256;
  /** HMAC key for the API-key lookup hash. */
  lookupKey: Uint8Array;
  /** HMAC key the encrypted password is derived with. */
  encryptedPasswordKey: Uint8Array;
  /** AES-256-GCM key for secrets that must be shown again. */
  sealKey: CryptoKey;
}

export class MasterKeyError extends Error {}

/** Parses a base64 master key, refusing anything that is not exactly 32 bytes. */
export function parseMasterKey(base64: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = decodeBase64(base64.trim());
  } catch {
    throw new MasterKeyError('is not valid base64');
  }
  if (bytes.length !== MASTER_KEY_LENGTH) {
    throw new MasterKeyError(`must be ${MASTER_KEY_LENGTH} bytes, but is ${bytes.length}`);
  }
  return bytes;
}

const encoder = new TextEncoder();

async function deriveBytes(master: CryptoKey, purpose: string): Promise<Uint8Array> {
  const bits = await crypto.subtle.deriveBits(
    { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: encoder.encode(`keyfob/${purpose}`) },
    master,
    256,
  );
  return new Uint8Array(bits);
}

export async function createKeyRing(masterKey: Uint8Array, hmacSha256: HmacSha256 = portableHmacSha256): Promise<KeyRing> {
  const master = await crypto.subtle.importKey('raw', new Uint8Array(masterKey), 'HKDF', false, ['deriveBits']);
  const [lookupKey, encryptedPasswordKey, sealBytes] = await Promise.all([
    deriveBytes(master, 'api-key-lookup/v1'),
    deriveBytes(master, 'encrypted-password/v1'),
    deriveBytes(master, 'seal/v1'),
  ]);
  const sealKey = await crypto.subtle.importKey('raw', new Uint8Array(sealBytes), 'AES-GCM', false, ['encrypt', 'decrypt']);
  return { hmac: hmacSha256, lookupKey, encryptedPasswordKey, sealKey };
}

const SEAL_VERSION = 'v1.';
const IV_LENGTH = 12;

/**
 * Seals a secret with AES-GCM. `context` is bound as associated data (e.g. `api-key:42`), so a sealed value
 * moved to another row or purpose fails to open.
 */
export async function seal(ring: KeyRing, plaintext: string, context: string, randomBytes: RandomBytes): Promise<string> {
  const iv = randomBytes(IV_LENGTH);
  const ciphertext = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv: new Uint8Array(iv), additionalData: encoder.encode(context) },
    ring.sealKey,
    encoder.encode(plaintext),
  );
  const out = new Uint8Array(IV_LENGTH + ciphertext.byteLength);
  out.set(iv);
  out.set(new Uint8Array(ciphertext), IV_LENGTH);
  return SEAL_VERSION + encodeBase64urlNoPadding(out);
}

/** Opens a sealed secret; null when it was sealed under another key or context, or is damaged. */
export async function unseal(ring: KeyRing, sealed: string, context: string): Promise<string | null> {
  if (!sealed.startsWith(SEAL_VERSION)) return null;
  try {
    const bytes = decodeBase64urlIgnorePadding(sealed.slice(SEAL_VERSION.length));
    const plaintext = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: bytes.slice(0, IV_LENGTH), additionalData: encoder.encode(context) },
      ring.sealKey,
      bytes.slice(IV_LENGTH),
    );
    return new TextDecoder().decode(plaintext);
  } catch {
    return null;
  }
}
