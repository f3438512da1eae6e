/**
 * Credential formats shared by the API and the extension. No framework imports: this file is the
 * contract for what a Keyfob secret looks like on the wire.
 */

/** Artifactory's API-key shape: secret scanners (gitleaks `artifactory-api-key`) recognise it. */
export const API_KEY_PREFIX = 'AKCp';
export const API_KEY_BODY_LENGTH = 69;
export const API_KEY_LENGTH = API_KEY_PREFIX.length + API_KEY_BODY_LENGTH;
export const API_KEY_PATTERN = /^AKCp[A-Za-z0-9]{69}$/;

/**
 * Encrypted password: `AP`, one format-version character, then base62. Version `1` is derived from the
 * password, version `2` is the encrypted form of an API key (what Artifactory returns when the encrypted
 * password is asked for with an API key).
 */
export const ENCRYPTED_PASSWORD_PATTERN = /^AP[0-9A-F][A-Za-z0-9]{8,}$/;
export const ENCRYPTED_PASSWORD_VERSION = { password: '1', apiKey: '2' } as const;

/** Keyfob's own session tokens, presented as `Authorization: Bearer kfs_…`. */
export const SESSION_TOKEN_PREFIX = 'kfs_';

/** The current API-key format. Keys of older formats work in the header but not as a Basic password. */
export const CURRENT_API_KEY_FORMAT = 2;

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
