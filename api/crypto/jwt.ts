/**
 * JWTs for access tokens: HS256 under a key derived from the master key, made and checked on every
 * runtime by the key ring's HMAC. Clients never check the signature (they cannot: it is Keyfob's secret);
 * they decode the payload, and jfrog-client-go decodes it with the *standard* base64 alphabet without
 * padding. So the payload's JSON is written such that its base64url has no `-` or `_`: with ASCII only,
 * those come only from `>`, `?`, `~` and DEL, which are written as \u escapes.
 */
import { decodeBase64urlIgnorePadding, encodeBase64urlNoPadding } from '@oslojs/encoding';
import { secretsEqual } from './secrets';

export interface AccessTokenClaims {
  ver: '2';
  sub: string;
  scp: string;
  aud: string;
  iss: string;
  iat: number;
  exp?: number;
  jti: string;
}

const HEADER = encodeBase64urlNoPadding(new TextEncoder().encode(JSON.stringify({ ver: '2', typ: 'JWT', alg: 'HS256', kid: 'keyfob-1' })));

/** JSON with every character that could put `-` or `_` into standard-alphabet base64 escaped. */
function clientSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/[>?~\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function signJwt(mac: (message: string) => Uint8Array, claims: AccessTokenClaims): string {
  const payload = encodeBase64urlNoPadding(new TextEncoder().encode(clientSafeJson(claims)));
  const signingInput = `${HEADER}.${payload}`;
  return `${signingInput}.${macBase64url(mac(signingInput))}`;
}

const textDecoder = new TextDecoder('utf-8', { fatal: true });

/**
 * base64url of a MAC through the runtime's native btoa (a Web standard): the pure-JS encoder cost more
 * than the rest of the request on the Bearer path.
 */
function macBase64url(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i] as number);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The claims of a token signed by this key, or null: bad shape, other header, bad signature. */
export function verifyJwt(mac: (message: string) => Uint8Array, token: string): AccessTokenClaims | null {
  const firstDot = token.indexOf('.');
  const lastDot = token.lastIndexOf('.');
  if (firstDot <= 0 || lastDot === firstDot) return null;
  // The header is always Keyfob's one header: anything else (alg "none", another key) is not ours.
  if (token.slice(0, firstDot) !== HEADER) return null;
  const signingInput = token.slice(0, lastDot);
  if (!secretsEqual(token.slice(lastDot + 1), macBase64url(mac(signingInput)))) return null;
  try {
    // Signed by us, so ASCII JSON (signJwt escapes the rest): atob's binary string is the text itself.
    const payload = token
      .slice(firstDot + 1, lastDot)
      .replace(/-/g, '+')
      .replace(/_/g, '/');
    const claims = JSON.parse(atob(payload)) as AccessTokenClaims;
    return typeof claims.jti === 'string' && typeof claims.sub === 'string' ? claims : null;
  } catch {
    return null;
  }
}

/** The payload without checking anything: for tests that read a token as a client would. */
export function unverifiedClaims(token: string): Record<string, unknown> {
  return JSON.parse(textDecoder.decode(decodeBase64urlIgnorePadding(token.split('.')[1] ?? '')));
}
