import { describe, expect, it } from 'vitest';
import { createHostPolicy, hostName } from './hosts';

describe('host names', () => {
  it('are compared in lower case, without port or trailing dot, IPv6 in brackets', () => {
    expect(hostName('Keyfob.Example.COM.:8443')).toBe('keyfob.example.com');
    expect(hostName('[::1]:8787')).toBe('[::1]');
    expect(hostName('::1')).toBe('[::1]');
    expect(hostName('127.0.0.1:80')).toBe('127.0.0.1');
  });

  it('on a specific address: that address and the public URL, nothing else', () => {
    const policy = createHostPolicy({ publicUrl: 'https://keyfob.example.com', listenHost: '10.0.0.5', allowedHosts: [] })!;
    for (const host of ['10.0.0.5:8787', 'keyfob.example.com', 'KEYFOB.example.com:443']) expect(policy.allows(host), host).toBe(true);
    for (const host of ['10.0.0.6:8787', 'localhost:8787', 'attacker.example', 'keyfob.example.com.attacker.example'])
      expect(policy.allows(host), host).toBe(false);
  });

  it('on every address (0.0.0.0 or ::): any IP literal and localhost, and named hosts only when listed', () => {
    for (const listenHost of ['0.0.0.0', '::']) {
      const policy = createHostPolicy({ publicUrl: null, listenHost, allowedHosts: ['build-box'] })!;
      for (const host of ['192.168.1.20:8787', '[fe80::1]:8787', 'localhost:8787', 'build-box:8787']) expect(policy.allows(host), host).toBe(true);
      for (const host of ['rebound.attacker.example:8787', '192.168.1.20.nip.io:8787']) expect(policy.allows(host), host).toBe(false);
    }
  });

  it('on a Worker: the public URL and the allowed names; every host without either', () => {
    expect(createHostPolicy({ publicUrl: null, listenHost: null, allowedHosts: [] })).toBeNull();
    const policy = createHostPolicy({ publicUrl: 'https://keyfob.workers.example', listenHost: null, allowedHosts: [] })!;
    expect(policy.allows('keyfob.workers.example')).toBe(true);
    expect(policy.allows('127.0.0.1')).toBe(false);
  });
});
