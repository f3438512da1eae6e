import { describe, expect, it } from 'vitest';
import { addressForLimits, inBlock, parseAddress, parseAddressBlock, resolveClientAddress, type TrustedProxies } from './clientAddress';

const proxies = (list: string[], header: TrustedProxies['header'] = 'x-forwarded-for'): TrustedProxies => ({
  blocks: list.map((entry) => parseAddressBlock(entry)!),
  header,
});
const headers = (init: Record<string, string>) => new Headers(init);

describe('client addresses behind trusted proxies', () => {
  it('parses IPv4, IPv6 and IPv4-mapped addresses, and refuses garbage', () => {
    expect([...parseAddress('192.0.2.1')!]).toEqual([192, 0, 2, 1]);
    expect(parseAddress('::ffff:192.0.2.1')).toEqual(parseAddress('192.0.2.1'));
    expect(parseAddress('2001:db8::1')?.length).toBe(16);
    expect(parseAddress('::1')?.[15]).toBe(1);
    for (const bad of ['', '256.0.0.1', '1.2.3', 'example.com', '2001:db8:::1', '1:2:3:4:5:6:7:8:9', '1.2.3.4/8']) expect(parseAddress(bad)).toBeNull();
  });

  it('matches CIDR blocks by their prefix only', () => {
    const ten = parseAddressBlock('10.0.0.0/8')!;
    expect(inBlock(parseAddress('10.200.3.4')!, ten)).toBe(true);
    expect(inBlock(parseAddress('11.0.0.1')!, ten)).toBe(false);
    expect(inBlock(parseAddress('192.168.1.130')!, parseAddressBlock('192.168.1.128/25')!)).toBe(true);
    expect(inBlock(parseAddress('192.168.1.127')!, parseAddressBlock('192.168.1.128/25')!)).toBe(false);
    expect(inBlock(parseAddress('fd12::1')!, parseAddressBlock('fd00::/8')!)).toBe(true);
    expect(inBlock(parseAddress('10.0.0.1')!, parseAddressBlock('::/0')!)).toBe(false); // families never mix
    for (const bad of ['10.0.0.0/33', '10.0.0.0/', 'fd00::/129', '10.0.0.0/8/1']) expect(parseAddressBlock(bad)).toBeNull();
  });

  it('believes the forwarding header only from a trusted proxy, and takes its right-most untrusted hop', () => {
    const trusted = proxies(['10.0.0.0/8']);
    // Not from a proxy: the header is the client's own word, and ignored.
    expect(resolveClientAddress('203.0.113.5', headers({ 'x-forwarded-for': '1.1.1.1' }), trusted)).toBe('203.0.113.5');
    // From the proxy: the hop it added.
    expect(resolveClientAddress('10.0.0.2', headers({ 'x-forwarded-for': '203.0.113.5' }), trusted)).toBe('203.0.113.5');
    // A client that sends its own header cannot choose its address: what it wrote is left of the real hop.
    expect(resolveClientAddress('10.0.0.2', headers({ 'x-forwarded-for': '1.1.1.1, 203.0.113.5' }), trusted)).toBe('203.0.113.5');
    // Two proxies of ours in a row.
    expect(resolveClientAddress('10.0.0.2', headers({ 'x-forwarded-for': '203.0.113.5, 10.1.1.1' }), trusted)).toBe('203.0.113.5');
    // Garbage where the nearest hop should be: the proxy's own address, not a choice of the client's.
    expect(resolveClientAddress('10.0.0.2', headers({ 'x-forwarded-for': '1.1.1.1, not-an-ip' }), trusted)).toBe('10.0.0.2');
    // No header from the proxy (a health check): the proxy.
    expect(resolveClientAddress('10.0.0.2', headers({}), trusted)).toBe('10.0.0.2');
    // No proxies configured: the connection, whatever the header says.
    expect(resolveClientAddress('::ffff:10.0.0.2', headers({ 'x-forwarded-for': '1.1.1.1' }), null)).toBe('10.0.0.2');
  });

  it('reads RFC 7239 Forwarded when told to, and then ignores X-Forwarded-For', () => {
    const trusted = proxies(['127.0.0.1'], 'forwarded');
    const h = headers({ forwarded: 'for=1.1.1.1, for="[2001:db8::7]:4711";proto=https, for=198.51.100.9:5000', 'x-forwarded-for': '9.9.9.9' });
    expect(resolveClientAddress('127.0.0.1', h, trusted)).toBe('198.51.100.9');
    expect(resolveClientAddress('127.0.0.1', headers({ forwarded: 'for="[2001:db8::7]:4711"' }), trusted)).toBe('2001:db8::7');
    expect(resolveClientAddress('127.0.0.1', headers({ 'x-forwarded-for': '9.9.9.9' }), trusted)).toBe('127.0.0.1');
  });

  it('counts limits per IPv4 address and per IPv6 /64', () => {
    expect(addressForLimits('192.0.2.7')).toBe('192.0.2.7');
    expect(addressForLimits('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressForLimits('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    // An IPv4 client on a dual-stack socket is one IPv4 address, not a /64.
    expect(addressForLimits('::ffff:192.0.2.7')).toBe('::ffff:192.0.2.7');
    expect(addressForLimits(null)).toBe('unknown');
  });
});
