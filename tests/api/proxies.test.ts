/** Keyfob behind a TLS proxy: the limits per address apply to clients, not to the proxy they share. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startKeyfob, type RunningKeyfob } from '../helpers/keyfob';

const V = '/api/v1';
const signIn = (k: RunningKeyfob, username: string, password: string, headers: Record<string, string> = {}) =>
  k.call(`${V}/session`, { method: 'POST', json: { username, password }, headers });

describe('behind trusted proxies (KEYFOB_TRUSTED_PROXIES)', () => {
  let k: RunningKeyfob;
  beforeAll(async () => {
    // Every request of the harness comes from 127.0.0.1: here, the proxy. HTTP SSO trusts some other host.
    k = await startKeyfob({ KEYFOB_TRUSTED_PROXIES: '127.0.0.0/8', HTTP_SSO_HEADER: 'REMOTE_USER', HTTP_SSO_TRUSTED_PROXIES: '10.9.9.9' });
    await k.createUser('paul', 'paul-Password-1');
    await k.call(`/artifactory/api/security/users/sso-user`, {
      method: 'PUT',
      auth: { basic: [ADMIN.name, ADMIN.password] },
      json: { realm: 'http-sso', email: 's@x.example' },
    });
  });
  afterAll(() => k.close());

  it("keeps one client's failures from slowing every other client of the proxy", async () => {
    const attacker = { 'x-forwarded-for': '203.0.113.1' };
    for (let i = 0; i < 100; i++) expect((await signIn(k, `spray${i}`, 'wrong-Password-0', attacker)).status).toBe(401);
    // Another client of the same proxy: at once.
    expect((await signIn(k, 'paul', 'paul-Password-1', { 'x-forwarded-for': '198.51.100.2' })).status).toBe(200);
    // The attacker's address is paced; what it claims to be to the left of the proxy's hop changes nothing.
    const flood = await Promise.all(
      Array.from({ length: 14 }, (_, i) => signIn(k, `flood${i}`, 'wrong-Password-0', { 'x-forwarded-for': `10.${i}.0.1, 203.0.113.1` })),
    );
    expect(flood.some((r) => r.status === 429)).toBe(true);
    // And the audit trail names the client, not the proxy.
    const events = await k.call(`${V}/profile/activity`, { auth: { basic: ['paul', 'paul-Password-1'] }, headers: { 'x-forwarded-for': '198.51.100.2' } });
    expect(events.json.events[0].clientAddress).toBe('198.51.100.2');
  });

  it('checks the HTTP SSO proxy by the connection, never by a forwarding header', async () => {
    // The request comes from 127.0.0.1 claiming to be forwarded for the SSO proxy's address: not believed.
    const spoofed = await k.call(`${V}/session/sso`, { method: 'POST', headers: { 'x-forwarded-for': '10.9.9.9', 'remote-user': 'sso-user' } });
    expect(spoofed.status).toBe(401);
    expect((await k.call(`${V}/profile`, { headers: { 'x-forwarded-for': '10.9.9.9', 'remote-user': 'sso-user' } })).status).toBe(401);
  });
});

describe('without trusted proxies', () => {
  let k: RunningKeyfob;
  beforeAll(async () => {
    k = await startKeyfob();
    await k.createUser('rita', 'rita-Password-1');
  });
  afterAll(() => k.close());

  it('ignores forwarding headers: a client cannot pick a fresh address for every guess', async () => {
    for (let i = 0; i < 100; i++) await signIn(k, `spray${i}`, 'wrong-Password-0', { 'x-forwarded-for': `198.18.0.${i}` });
    const flood = await Promise.all(Array.from({ length: 14 }, (_, i) => signIn(k, `flood${i}`, 'wrong-Password-0', { 'x-forwarded-for': `198.19.0.${i}` })));
    expect(flood.some((r) => r.status === 429)).toBe(true);
  });
});
