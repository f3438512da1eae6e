/**
 * Reading the credential a request carries, and the middleware that resolves it. Parsing is pure and
 * separate so every odd header can be tested without a server.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { mayPerform, type Operation } from '../domain/access';
import { authenticate, type Credential, type Principal } from '../domain/credentials';
import type { AppDeps } from '../deps';
import type { DomainDeps, RequestContext } from '../domain/deps';
import { trustedSsoName } from '../domain/httpSso';
import { DAY_MS } from '../domain/expiryReminders';
import { getPasswordExpirationPolicy, isPasswordExpired, passwordExpiresAt } from '../domain/passwordExpiry';
import { fail, ok, type Result } from '../domain/result';
import { httpError, KeyfobHttpError } from '../http/errors';

export const API_KEY_HEADER = 'X-JFrog-Art-Api';
/** On every response to a request whose token or password expires soon: when, in ISO 8601 UTC, for scripts to log. */
export const CREDENTIAL_EXPIRES_HEADER = 'X-Keyfob-Credential-Expires';
/** How long before its expiry a credential is announced on the responses it authenticates. */
export const CREDENTIAL_EXPIRES_AHEAD_MS = 7 * DAY_MS;

export type AppEnv = {
  /** `credentialExpires`: what CREDENTIAL_EXPIRES_HEADER says for this request, when it says anything. */
  Variables: { principal: Principal; requestContext: RequestContext; credentialExpires?: string };
};

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

/** The caller's address and agent, for the audit trail and the limits per address. */
export function requestContext(
  c: Context,
  addresses: { clientAddress: (c: Context) => string | null; peerAddress: (c: Context) => string | null },
): RequestContext {
  // Read at once, not lazily: a getter would keep the whole Context (request, response) alive for as long as
  // anything holds the context (deferred work, a pending audit write), and the ping measured half as fast.
  return { clientAddress: addresses.clientAddress(c), peerAddress: addresses.peerAddress(c), userAgent: c.req.header('user-agent') ?? null };
}

export interface AuthOptions {
  /** What the route does with the account: the table in domain/access.ts decides who may. */
  can: Operation;
  /** Let a user whose password has expired through (only to change it). */
  allowExpiredPassword?: boolean;
}

/** For routes whose operation depends on the request: throws the 403 when the principal may not. */
export function authorize(deps: DomainDeps, principal: Principal, operation: Operation): void {
  const permitted = mayPerform(principal, operation, deps.clock.now());
  if (!permitted.ok) throw new KeyfobHttpError(permitted);
}

/** What resolving a credential needs: the domain, and where the server takes an answer's headers, if it does. */
export type AuthDeps = DomainDeps & Partial<Pick<AppDeps, 'setHeaderAtServer'>>;

/** Middleware factory: resolves the request's credential into `c.var.principal`, or answers 401/403. */
export function requireAuth(deps: AuthDeps, options: AuthOptions): MiddlewareHandler<AppEnv> {
  return async function keyfobAuth(c, next) {
    c.set('principal', await resolvePrincipal(deps, c, options));
    await next();
    // An error the handler threw is answered by onError with a response of its own, without the headers set
    // before: the announcement goes on that one too (only then, so no successful response is changed afterwards).
    const expires = c.get('credentialExpires');
    if (expires && !c.res.headers.has(CREDENTIAL_EXPIRES_HEADER)) c.res.headers.set(CREDENTIAL_EXPIRES_HEADER, expires);
  };
}

/** When a token stops working: its expiry, or sooner the end of the overlap it was refreshed with. */
function tokenStopsAt(token: Principal['accessToken']): number | null {
  if (!token) return null;
  const overlapEnd = token.revokedAt;
  if (overlapEnd === null) return token.expiresAt;
  return token.expiresAt === null ? overlapEnd : Math.min(token.expiresAt, overlapEnd);
}

/** What requireAuth does, for a handler that decides from the body whether a credential is needed at all. */
export async function resolvePrincipal(deps: AuthDeps, c: Context<AppEnv>, options: AuthOptions): Promise<Principal> {
  const parsed = parseCredential(c.req.raw.headers);
  if (!parsed.ok) throw new KeyfobHttpError(parsed);
  let credential = parsed.value;
  if (credential.kind === 'none') {
    const name = trustedSsoName(deps.settings.httpSso, c.get('requestContext'), c.req.raw.headers);
    if (name) credential = { kind: 'sso', name };
  }
  // c.get, not c.var: Hono builds c.var as a fresh object on every read.
  const result = await authenticate(deps, c.get('requestContext'), credential);
  if (!result.ok) throw new KeyfobHttpError(result);
  const principal = result.value;
  const now = deps.clock.now();
  // An expired password (flagged, or past the expiration policy's age) stops what stands for it: the
  // password, AP1, sessions. Credentials of their own (API keys, access tokens) go on, as in Artifactory.
  // The policy is a setting, read through the store's cache: no database read per request.
  const ownCredential = principal.via === 'apiKey' || principal.via === 'accessToken';
  const policy = ownCredential ? null : await getPasswordExpirationPolicy(deps.store);
  if (policy && !options.allowExpiredPassword && isPasswordExpired(policy, principal.user, now)) {
    throw httpError('PASSWORD_EXPIRED', 'Your password has expired: change it first');
  }
  authorize(deps, principal, options.can);
  // What expires is the token itself, or the password sent in clear; API keys never expire, and sessions
  // end by their own rules. Both expiries are already in hand: the token's row, the policy above.
  const expiresAt =
    principal.via === 'accessToken'
      ? tokenStopsAt(principal.accessToken)
      : principal.via === 'password' && policy
        ? passwordExpiresAt(policy, principal.user)
        : null;
  if (expiresAt !== null && expiresAt > now && expiresAt - now <= CREDENTIAL_EXPIRES_AHEAD_MS) {
    const expires = new Date(expiresAt).toISOString();
    if (deps.setHeaderAtServer) {
      // On the socket's response: every answer to this request carries it, an error's too, and the app's
      // Response stays header-free (a Headers object per request costs a token's throughput a tenth).
      deps.setHeaderAtServer(c, CREDENTIAL_EXPIRES_HEADER, expires);
    } else {
      c.set('credentialExpires', expires);
      c.header(CREDENTIAL_EXPIRES_HEADER, expires);
    }
  }
  return principal;
}
