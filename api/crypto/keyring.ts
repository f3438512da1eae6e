/**
 * Everything derived from the server's master key. Each purpose gets its own subkey (HKDF-SHA256 with a
 * purpose label), so a leak of one derived value says nothing about the others or the master key.
 * Web Crypto and pure JS only: runs on every runtime Keyfob supports, which may hand in faster SHA-256.
 */
import { hmac } from '@oslojs/crypto/hmac';
import { SHA256, sha256 } from '@oslojs/crypto/sha2';
import { decodeBase64, encodeBase64urlNoPadding, decodeBase64urlIgnorePadding, encodeHexLowerCase } from '@oslojs/encoding';
import type { RandomBytes } from '../domain/ports';

export const MASTER_KEY_LENGTH = 32;

const utf8 = new TextEncoder();

/**
 * The SHA-256 primitives on the credential-checking path, synchronous and over text (UTF-8): pure JS
 * (@oslojs) everywhere, or the runtime's native ones where it has them (api/node/nativeSha256.ts).
 * They take text because on Node encoding to bytes first (TextEncoder) costs about as much as the
 * native hash itself, and an HMAC is keyed once so that a runtime can precompute its padded key.
 */
export interface Sha256 {
  /** HMAC-SHA256 under `key`, for many messages. */
  hmac(key: Uint8Array): (message: string) => Uint8Array;
  /** SHA-256 of `text`, in lowercase hex. */
  hex(text: string): string;
}

export const portableSha256: Sha256 = {
  hmac: (key) => (message) => hmac(SHA256, key, utf8.encode(message)),
  hex: (text) => encodeHexLowerCase(sha256(utf8.encode(text))),
};

export interface KeyRing {
  /** HMAC for the API-key lookup hash. */
  lookupMac: (message: string) => Uint8Array;
  /** HMAC the encrypted password is derived with. */
  encryptedPasswordMac: (message: string) => Uint8Array;
  /** HMAC access tokens (JWTs) are signed with. */
  tokenSigningMac: (message: string) => Uint8Array;
  /** The SHA-256 the ring's HMACs use, for hashes that need no key (tokens kept as their hash). */
  sha256: Sha256;
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

async function deriveBytes(master: CryptoKey, purpose: string): Promise<Uint8Array> {
  const bits = await crypto.subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: utf8.encode(`keyfob/${purpose}`) }, master, 256);
  return new Uint8Array(bits);
}

export async function createKeyRing(masterKey: Uint8Array, sha256Functions: Sha256 = portableSha256): Promise<KeyRing> {
  const master = await crypto.subtle.importKey('raw', new Uint8Array(masterKey), 'HKDF', false, ['deriveBits']);
  const [lookupKey, encryptedPasswordKey, sealBytes, tokenSigningKey] = await Promise.all([
    deriveBytes(master, 'api-key-lookup/v1'),
    deriveBytes(master, 'encrypted-password/v1'),
    deriveBytes(master, 'seal/v1'),
    deriveBytes(master, 'access-token-signing/v1'),
  ]);
  const sealKey = await crypto.subtle.importKey('raw', new Uint8Array(sealBytes), 'AES-GCM', false, ['encrypt', 'decrypt']);
  return {
    lookupMac: sha256Functions.hmac(lookupKey),
    encryptedPasswordMac: sha256Functions.hmac(encryptedPasswordKey),
    tokenSigningMac: sha256Functions.hmac(tokenSigningKey),
    sha256: sha256Functions,
    sealKey,
  };
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
    { name: 'AES-GCM', iv: new Uint8Array(iv), additionalData: utf8.encode(context) },
    ring.sealKey,
    utf8.encode(plaintext),
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
      { name: 'AES-GCM', iv: bytes.slice(0, IV_LENGTH), additionalData: utf8.encode(context) },
      ring.sealKey,
      bytes.slice(IV_LENGTH),
    );
    return new TextDecoder().decode(plaintext);
  } catch {
    return null;
  }
}
