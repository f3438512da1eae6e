/**
 * Who the client is, behind trusted reverse proxies. Limits per address (sign-in failures, reset
 * requests) and the audit trail need the client's own address, not the proxy's: behind a TLS proxy every
 * request would otherwise come from one address, and one attacker's failures would throttle everyone.
 *
 * Only proxies the operator named are believed: the client is the right-most hop of the forwarding
 * header that is not a trusted proxy. Anything a client wrote to the left of that is ignored, so a
 * client cannot choose its own address by sending the header itself.
 */

/** An address or a CIDR block, as bytes and a prefix length. */
export interface AddressBlock {
  bytes: Uint8Array;
  prefix: number;
}

export type ForwardedHeader = 'x-forwarded-for' | 'forwarded';

export interface TrustedProxies {
  blocks: AddressBlock[];
  /** The header the proxies write (only that one is read: a client could send the other). */
  header: ForwardedHeader;
}

function parseIPv4(text: string): Uint8Array | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    if (!/^\d{1,3}$/.test(parts[i] as string)) return null;
    const n = Number(parts[i]);
    if (n > 255) return null;
    bytes[i] = n;
  }
  return bytes;
}

function parseIPv6(text: string): Uint8Array | null {
  let head = text;
  let tail4: Uint8Array | null = null;
  // An embedded IPv4 tail (::ffff:192.0.2.1).
  const lastColon = head.lastIndexOf(':');
  if (head.slice(lastColon + 1).includes('.')) {
    tail4 = parseIPv4(head.slice(lastColon + 1));
    if (!tail4) return null;
    head = `${head.slice(0, lastColon + 1)}0:0`;
  }
  const halves = head.split('::');
  if (halves.length > 2) return null;
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const left = groups(halves[0] as string);
  const right = halves.length === 2 ? groups(halves[1] as string) : [];
  const missing = 8 - left.length - right.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0) return null;
  const all = [...left, ...Array(halves.length === 2 ? missing : 0).fill('0'), ...right];
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    const g = all[i] as string;
    if (!/^[0-9a-f]{1,4}$/i.test(g)) return null;
    const n = parseInt(g, 16);
    bytes[2 * i] = n >> 8;
    bytes[2 * i + 1] = n & 0xff;
  }
  if (tail4) bytes.set(tail4, 12);
  return bytes;
}

/** The bytes of an IP address (IPv4-mapped IPv6 as IPv4), or null when it is not one. */
export function parseAddress(text: string): Uint8Array | null {
  const trimmed = text.trim();
  const v4 = parseIPv4(trimmed);
  if (v4) return v4;
  const v6 = trimmed.includes(':') ? parseIPv6(trimmed) : null;
  if (!v6) return null;
  const mapped = v6.slice(0, 10).every((b) => b === 0) && v6[10] === 0xff && v6[11] === 0xff;
  return mapped ? v6.slice(12) : v6;
}

/** `10.0.0.0/8`, `192.0.2.7`, `fd00::/8`; null when it is none of these. */
export function parseAddressBlock(text: string): AddressBlock | null {
  const [address = '', prefixText, ...rest] = text.trim().split('/');
  if (rest.length > 0) return null;
  const bytes = parseAddress(address);
  if (!bytes) return null;
  const prefix = prefixText === undefined ? bytes.length * 8 : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : -1;
  return prefix >= 0 && prefix <= bytes.length * 8 ? { bytes, prefix } : null;
}

export function inBlock(address: Uint8Array, block: AddressBlock): boolean {
  if (address.length !== block.bytes.length) return false;
  let bits = block.prefix;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((address[i] as number) & mask) !== ((block.bytes[i] as number) & mask)) return false;
  }
  return true;
}

// Every request asks about its connection's address, and there are few of those (the proxies): remember.
const trustedByAddress = new WeakMap<TrustedProxies, Map<string, boolean>>();
const MAX_REMEMBERED = 1024;

function isTrusted(address: string, proxies: TrustedProxies): boolean {
  let known = trustedByAddress.get(proxies);
  if (!known) {
    known = new Map();
    trustedByAddress.set(proxies, known);
  }
  const remembered = known.get(address);
  if (remembered !== undefined) return remembered;
  const bytes = parseAddress(address);
  const trusted = bytes !== null && proxies.blocks.some((block) => inBlock(bytes, block));
  if (known.size >= MAX_REMEMBERED) known.clear();
  known.set(address, trusted);
  return trusted;
}

/** One hop of `Forwarded: for=…` (RFC 7239): quotes, brackets and a port taken off. */
function forwardedFor(element: string): string | null {
  for (const pair of element.split(';')) {
    const [key = '', ...value] = pair.split('=');
    if (key.trim().toLowerCase() !== 'for') continue;
    let v = value.join('=').trim().replace(/^"|"$/g, '');
    if (v.startsWith('[')) v = v.slice(1, v.indexOf(']') === -1 ? undefined : v.indexOf(']'));
    else if (/^[\d.]+:\d+$/.test(v)) v = v.slice(0, v.indexOf(':'));
    return v;
  }
  return null;
}

function hops(headers: Pick<Headers, 'get'>, header: ForwardedHeader): string[] {
  const value = headers.get(header);
  if (!value) return [];
  if (header === 'x-forwarded-for')
    return value
      .split(',')
      .map((hop) => hop.trim())
      .filter(Boolean);
  return value
    .split(',')
    .map(forwardedFor)
    .filter((hop): hop is string => hop !== null && hop !== '');
}

/** `::ffff:127.0.0.1` (an IPv4 client on a dual-stack socket) is 127.0.0.1. */
export function normaliseAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice('::ffff:'.length) : address;
}

/**
 * The client's address: the connection's own, or, when that is a trusted proxy, the right-most hop of
 * the forwarding header that is not one. With no proxies configured, the connection's address.
 */
export function resolveClientAddress(peer: string | null, headers: Pick<Headers, 'get'>, proxies: TrustedProxies | null): string | null {
  if (peer === null || !proxies || proxies.blocks.length === 0 || !isTrusted(peer, proxies)) return peer === null ? null : normaliseAddress(peer);
  const chain = hops(headers, proxies.header);
  for (let i = chain.length - 1; i >= 0; i--) {
    const hop = chain[i] as string;
    // Garbage where an address belongs: stop believing the header there.
    if (!parseAddress(hop)) return normaliseAddress(peer);
    if (!isTrusted(hop, proxies)) return normaliseAddress(hop);
  }
  // Every hop is a proxy of ours (a health check from inside, say): the left-most is the client.
  return normaliseAddress(chain[0] ?? peer);
}

/**
 * The unit a limit per address counts by: an IPv4 address, or an IPv6 /64 (one machine, or one site,
 * holds a whole /64, so counting single IPv6 addresses would give it 2^64 fresh budgets).
 */
export function addressForLimits(address: string | null): string {
  if (address === null) return 'unknown';
  const bytes = parseAddress(address);
  if (!bytes || bytes.length === 4) return address;
  const groups = Array.from({ length: 4 }, (_, i) => (((bytes[2 * i] as number) << 8) | (bytes[2 * i + 1] as number)).toString(16));
  return `${groups.join(':')}::/64`;
}
