/**
 * HTTP SSO: a reverse proxy that authenticated the user passes their name in a header (REMOTE_USER, say).
 * The header is believed only when the request comes from one of the configured proxy addresses, by the
 * connection's own address; from anyone else it is ignored, as if it were not there.
 */
import { normaliseAddress } from '../http/clientAddress';
import type { DomainDeps, RequestContext } from './deps';
import type { UserRecord } from './records';
import { userForExternalIdentity } from './externalUsers';
import type { Result } from './result';

export interface HttpSsoSettings {
  /** The header's name, lower case. */
  header: string;
  trustedProxies: string[];
  /** Make users of realm http-sso on their first request. */
  createUsers: boolean;
}

/** The name the trusted proxy vouches for, or null when SSO is off, the header absent, or the sender untrusted. */
export function trustedSsoName(sso: HttpSsoSettings | null, ctx: RequestContext, headers: Headers): string | null {
  // The connection's own address: a forwarding header names the client, never the proxy that vouches.
  if (!sso || !ctx.peerAddress || !sso.trustedProxies.includes(normaliseAddress(ctx.peerAddress))) return null;
  const name = headers.get(sso.header)?.trim();
  return name ? name : null;
}

export function ssoUser(deps: DomainDeps, ctx: RequestContext, sso: HttpSsoSettings, name: string): Promise<Result<UserRecord>> {
  return userForExternalIdentity(deps, ctx, 'http-sso', name, { create: sso.createUsers });
}
