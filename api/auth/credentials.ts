/**
 * Reading the credential a request carries, and the middleware that resolves it. Parsing is pure and
 * separate so every odd header can be tested without a server.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { authenticate, canSeeSecrets, type Credential, type Principal } from '../domain/credentials';
import type { DomainDeps, RequestContext } from '../domain/deps';
import { trustedSsoName } from '../domain/httpSso';
import { fail, ok, type Result } from '../domain/result';
import { httpError, KeyfobHttpError } from '../http/errors';

export const API_KEY_HEADER = 'X-JFrog-Art-Api';

export type AppEnv = { Variables: { principal: Principal; requestContext: RequestContext } };

const MAX_CREDENTIAL_LENGTH = 8192;

/** Parses `X-JFrog-Art-Api` or `Authorization` (Basic, Bearer). The header key wins when both are sent. */
export function parseCredential(headers: Headers): Result<Credential> {
  const headerKey = headers.get(API_KEY_HEADER);
  if (headerKey !== null) {
    const apiKey = headerKey.trim();
    if (!apiKey || apiKey.length > MAX_CREDENTIAL_LENGTH) return fail('BAD_CREDENTIALS', `Malformed ${API_KEY_HEADER} header`);
    return ok({ kind: 'apiKeyHeader', apiKey });
  }
  const authorization = headers.get('authorization');
  if (authorization === null) return ok({ kind: 'none' });
  if (authorization.length > MAX_CREDENTIAL_LENGTH) return fail('BAD_CREDENTIALS', 'Malformed Authorization header');
  const [scheme = '', value = ''] = authorization.trim().split(/\s+/, 2);
  switch (scheme.toLowerCase()) {
    case 'basic':
      return parseBasic(value);
    case 'bearer':
      return value ? ok({ kind: 'bearer', token: value }) : fail('BAD_CREDENTIALS', 'Malformed Bearer credentials');
    default:
      return fail('BAD_CREDENTIALS', 'Unsupported Authorization scheme: use Basic, Bearer or the X-JFrog-Art-Api header');
  }
}

// One decoder for every request: constructing one per request shows in the Basic path's profile.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The bytes of a binary string from the runtime's native atob (a Web standard): the pure-JS decoder led the profile. */
function base64Bytes(binary: string): Uint8Array {
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

// Printable ASCII and nothing else: then each decoded byte is its own character.
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

function parseBasic(value: string): Result<Credential> {
  let decoded: string;
  try {
    const binary = atob(value);
    // Scripts' credentials (API keys, most passwords) are ASCII: no byte array and no UTF-8 decoding for them.
    decoded = PRINTABLE_ASCII.test(binary) ? binary : strictUtf8.decode(base64Bytes(binary));
  } catch {
    return fail('BAD_CREDENTIALS', 'Malformed Basic credentials: expected base64 of user:password');
  }
  const colon = decoded.indexOf(':');
  if (colon <= 0) return fail('BAD_CREDENTIALS', 'Malformed Basic credentials: expected base64 of user:password');
  return ok({ kind: 'basic', username: decoded.slice(0, colon), password: decoded.slice(colon + 1) });
}

/** The caller's address and agent, for the audit trail. */
export function requestContext(c: Context, clientAddress: (c: Context) => string | null): RequestContext {
  return { clientAddress: clientAddress(c), userAgent: c.req.header('user-agent') ?? null };
}

export interface AuthOptions {
  /** Let a user whose password has expired through (only to change it). */
  allowExpiredPassword?: boolean;
  /** Only admins. */
  admin?: boolean;
  /** Only principals that may see secrets now (unlocked session, or a credential of their own). */
  secrets?: boolean;
}

/** Middleware factory: resolves the request's credential into `c.var.principal`, or answers 401/403. */
export function requireAuth(deps: DomainDeps, options: AuthOptions = {}): MiddlewareHandler<AppEnv> {
  return async function keyfobAuth(c, next) {
    const parsed = parseCredential(c.req.raw.headers);
    if (!parsed.ok) throw new KeyfobHttpError(parsed);
    let credential = parsed.value;
    if (credential.kind === 'none') {
      const name = trustedSsoName(deps.settings.httpSso, c.var.requestContext, c.req.raw.headers);
      if (name) credential = { kind: 'sso', name };
    }
    const result = await authenticate(deps, c.var.requestContext, credential);
    if (!result.ok) throw new KeyfobHttpError(result);
    const principal = result.value;
    if (principal.user.passwordExpired && principal.via !== 'apiKey' && !options.allowExpiredPassword) {
      throw httpError('PASSWORD_EXPIRED', 'Your password has expired: change it first');
    }
    if (principal.via === 'lfsToken' && (options.admin || options.secrets)) {
      throw httpError('FORBIDDEN', 'A Git LFS token only identifies you to Git LFS: use your API key or password for this');
    }
    if (options.admin && !principal.user.admin) throw httpError('FORBIDDEN', 'Only an administrator may do this');
    if (options.secrets && !canSeeSecrets(principal, deps.clock.now())) {
      throw httpError('UNLOCK_REQUIRED', 'Unlock your profile with your password to see its secrets');
    }
    c.set('principal', principal);
    await next();
  };
}
