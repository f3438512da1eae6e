/**
 * Credential formats shared by the API and the extension. No framework imports: this file is the
 * contract for what a Keyfob secret looks like on the wire.
 */

/**
 * Artifactory's API-key shape. New keys start `AKCp8` and are 73 characters in all: jfrog-client-go (the
 * JFrog CLI) takes a string for an API key only when it starts with `AKCp8` and is at least 73 long, and
 * otherwise sends it as a Bearer token. Secret scanners (gitleaks `artifactory-api-key`,
 * `AKCp[A-Za-z0-9]{69}`) recognise it.
 */
/** Artifactory's prefix of every API key, of every format. */
const API_KEY_FAMILY = 'AKCp';
export const API_KEY_PREFIX = `${API_KEY_FAMILY}8`;
export const API_KEY_BODY_LENGTH = 68;
/** Of the body, the last six characters are the checksum of the rest (see `withChecksum`). */
export const API_KEY_RANDOM_LENGTH = API_KEY_BODY_LENGTH - 6;
const API_KEY_LENGTH = API_KEY_PREFIX.length + API_KEY_BODY_LENGTH;
/** What Keyfob accepts as a key: `AKCp` and 69 more, which also admits the keys issued before the `AKCp8` prefix. */
export const API_KEY_PATTERN = new RegExp(`^${API_KEY_FAMILY}[A-Za-z0-9]{${API_KEY_LENGTH - API_KEY_FAMILY.length}}$`);
/** What Keyfob issues now. */
export const NEW_API_KEY_PATTERN = new RegExp(`^${API_KEY_PREFIX}[A-Za-z0-9]{${API_KEY_BODY_LENGTH}}$`);

/**
 * Encrypted password: `AP`, one format-version character, then base62. Version `1` is derived from the
 * password, version `2` is the encrypted form of an API key (what Artifactory returns when the encrypted
 * password is asked for with an API key).
 */
export const ENCRYPTED_PASSWORD_PATTERN = /^AP[0-9A-F][A-Za-z0-9]{8,}$/;
export const ENCRYPTED_PASSWORD_VERSION = { password: '1', apiKey: '2' } as const;

/** Keyfob's own session tokens (and Git LFS tokens), presented as `Authorization: Bearer kfs_…`. */
export const SESSION_TOKEN_PREFIX = 'kfs_';

/**
 * API-key formats: 1, `AKCp` and 69 random (works in the header only); 2, `AKCp8` and 68 random (also a
 * Basic password); 3, format 2 whose last six characters are its checksum. Keys of every format keep working.
 */
export const CURRENT_API_KEY_FORMAT = 3;
/** The first format that works as the password of Basic auth. */
export const BASIC_PASSWORD_API_KEY_FORMAT = 2;

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const CHECKSUM_LENGTH = 6;

// Pure, so a bundle that uses nothing of the checksum (the popup) leaves the table out.
const CRC32_TABLE = /* @__PURE__ */ (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let bit = 0; bit < 8; bit++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE 802.3, as zlib's) of ASCII text. */
export function crc32(text: string): number {
  let c = 0xffffffff;
  for (let i = 0; i < text.length; i++) c = CRC32_TABLE[(c ^ text.charCodeAt(i)) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * GitHub's token checksum: the CRC-32 of everything before it, in six base62 characters (62^6 > 2^32, so
 * the encoding loses nothing). A CRC-32 catches every error within 32 consecutive bits, so every typo of one
 * character, and every swap of two neighbours, fails the check: a mistyped or guessed secret is refused
 * before anything is looked up. It is no secret and proves nothing about who made the value.
 */
export function checksumOf(text: string): string {
  let n = crc32(text);
  let out = '';
  for (let i = 0; i < CHECKSUM_LENGTH; i++) {
    out = BASE62[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out;
}

export function withChecksum(text: string): string {
  return text + checksumOf(text);
}

/** Whether the value's last six characters are the checksum of the rest. */
export function checksumMatches(value: string): boolean {
  return value.length > CHECKSUM_LENGTH && checksumOf(value.slice(0, -CHECKSUM_LENGTH)) === value.slice(-CHECKSUM_LENGTH);
}

const MASK = '••••••••';

/** `AKCp••••••••abcd`: the first four and last four characters of a secret, never more. */
export function maskSecret(secret: string): string {
  if (secret.length <= 8) return MASK;
  return secret.slice(0, 4) + MASK + secret.slice(-4);
}

export function looksLikeApiKey(value: string): boolean {
  return API_KEY_PATTERN.test(value);
}

export function looksLikeEncryptedPassword(value: string): boolean {
  return ENCRYPTED_PASSWORD_PATTERN.test(value);
}

/**
 * Access tokens are JWTs, read by clients as JFrog's are (jfrog-client-go takes the user name from the
 * part of `sub` after its last `/`). Reference tokens have JFrog's shape: 64 base64 characters of
 * `reftkn:01:<expiry epoch>:<random>`, letters and digits only, so they start with `cmVmdGtuOjAxOj`.
 */
export const ACCESS_TOKEN_PATTERN = /^eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/;
export const REFERENCE_TOKEN_PREFIX = 'cmVmdGtu';
/**
 * Since `tokenChecksumsSince` the last six characters are the checksum of the 58 before them (see
 * `withChecksum`): the shape stays JFrog's and `reftkn:01:<expiry epoch>:` still decodes; the tail no longer
 * decodes to text (nothing reads it).
 */
export const REFERENCE_TOKEN_PATTERN = /^cmVmdGtu[A-Za-z0-9]{56}$/;
/** Refresh tokens: opaque, handed out only to be sent back to the token endpoint. */
export const REFRESH_TOKEN_PREFIX = 'kfr_';

/**
 * Session and refresh tokens: the prefix and 32 base32 characters (160 random bits), then, since
 * `tokenChecksumsSince`, the six-character checksum of all that. Both shapes are accepted.
 */
const OPAQUE_TOKEN_RANDOM_LENGTH = 32;
const OPAQUE_TOKEN_BODY = `[a-z2-7]{${OPAQUE_TOKEN_RANDOM_LENGTH}}(?:[A-Za-z0-9]{${CHECKSUM_LENGTH}})?`;
export const SESSION_TOKEN_PATTERN = new RegExp(`^${SESSION_TOKEN_PREFIX}${OPAQUE_TOKEN_BODY}$`);
export const REFRESH_TOKEN_PATTERN = new RegExp(`^${REFRESH_TOKEN_PREFIX}${OPAQUE_TOKEN_BODY}$`);
/** The length of a session or refresh token from before the checksum (both prefixes are four characters). */
export const LEGACY_OPAQUE_TOKEN_LENGTH = SESSION_TOKEN_PREFIX.length + OPAQUE_TOKEN_RANDOM_LENGTH;

export function looksLikeAccessToken(value: string): boolean {
  return value.length < 4096 && ACCESS_TOKEN_PATTERN.test(value);
}

export function looksLikeReferenceToken(value: string): boolean {
  return REFERENCE_TOKEN_PATTERN.test(value);
}

/**
 * What the popup offers for the old API key's overlap after a regenerate, in seconds: none, an hour, a day,
 * seven days (those up to the server's maximum). Here, not in schemas.ts, so the popup does not load zod.
 */
export const API_KEY_OVERLAP_CHOICES_SECONDS = [0, 3_600, 86_400, 7 * 86_400] as const;
