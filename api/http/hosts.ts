/**
 * Which Host names Keyfob answers to. A page on an attacker's site can point its own name at 127.0.0.1
 * (DNS rebinding) and then read a loopback Keyfob as if it were same-origin; the Host header is the one
 * thing in such a request that still names the attacker's site, so anything not known here gets 421.
 */
import type { MiddlewareHandler } from 'hono';
import { httpError } from './errors';

export interface HostPolicySource {
  /** KEYFOB_PUBLIC_URL. */
  publicUrl: string | null;
  /** The address the server listens on (HOST); null where there is none to speak of (Workers). */
  listenHost: string | null;
  /** KEYFOB_ALLOWED_HOSTS: more names, for a proxy or a machine name. */
  allowedHosts: string[];
}

export interface HostPolicy {
  /** Whether a request whose URL has this host (`name`, `name:port`, `[v6]:port`) is answered. */
  allows(host: string): boolean;
}

const WILDCARD_ADDRESSES = new Set(['', '0.0.0.0', '::', '[::]']);
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;
const IPV6 = /^\[[0-9a-f:.]+\]$/;

/** A host as compared: lower case, no port, no trailing dot, IPv6 in brackets. */
export function hostName(host: string): string {
  let name = host.trim().toLowerCase();
  if (name.startsWith('[')) name = name.slice(0, name.indexOf(']') + 1);
  else if (name.includes(':') && name.indexOf(':') === name.lastIndexOf(':')) name = name.slice(0, name.indexOf(':'));
  else if (name.includes(':')) name = `[${name}]`;
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

const isLoopback = (name: string) => name === 'localhost' || name === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);

/**
 * The names to answer to: the public URL's, the listen address and KEYFOB_ALLOWED_HOSTS, with the other
 * loopback names when one of them is a loopback name. Listening on every address (0.0.0.0, ::) adds every IP literal and
 * localhost, since a rebinding attack needs a name the attacker controls and an address is not one.
 * The port is not compared: a name alone decides whose page it is. Null when nothing is known (a Worker
 * without KEYFOB_PUBLIC_URL, which Cloudflare reaches only by the names routed to it): every host is answered.
 */
export function createHostPolicy(source: HostPolicySource): HostPolicy | null {
  const names = new Set(source.allowedHosts.map(hostName));
  const publicHost = source.publicUrl ? new URL(source.publicUrl).hostname.toLowerCase() : null;
  if (publicHost) names.add(publicHost);
  const listen = source.listenHost === null ? null : hostName(source.listenHost);
  const anyAddress = listen !== null && WILDCARD_ADDRESSES.has(listen);
  if (listen !== null && !anyAddress) names.add(listen);
  if (anyAddress || [...names].some(isLoopback)) for (const name of LOOPBACK_NAMES) names.add(name);
  if (listen === null && names.size === 0) return null;
  return {
    allows(host) {
      const name = hostName(host);
      return names.has(name) || (anyAddress && (IPV4.test(name) || IPV6.test(name)));
    },
  };
}

/** The host part of a request URL, without parsing the whole URL on every request. */
function urlHost(url: string): string {
  const start = url.indexOf('//') + 2;
  const end = url.indexOf('/', start);
  return url.slice(start, end === -1 ? undefined : end);
}

/** Middleware factory: 421 for a Host the policy does not allow. */
export function requireKnownHost(policy: HostPolicy): MiddlewareHandler {
  return async function knownHost(c, next) {
    const host = urlHost(c.req.url);
    if (!policy.allows(host)) {
      throw httpError(
        'MISDIRECTED',
        `This server does not answer to the host name '${hostName(host).slice(0, 64)}': use its address (KEYFOB_PUBLIC_URL), or have the operator add the name to KEYFOB_ALLOWED_HOSTS`,
      );
    }
    await next();
  };
}
