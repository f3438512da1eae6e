/**
 * What a browser adds to a request that a script does not: the Host a page's name resolved to (DNS
 * rebinding), and the Origin and Sec-Fetch-Site of the page that made it (CSRF through the credentials the
 * browser holds for Keyfob). Chromium itself is driven in tests/e2e/crossSite.test.ts; here, the rules.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startKeyfob, type RunningKeyfob } from '../helpers/keyfob';

const PING = '/artifactory/api/system/ping';
const API_KEY = '/artifactory/api/security/apiKey';
const admin = { basic: [ADMIN.name, ADMIN.password] as [string, string] };

/** A request with a Host header of the test's choosing (fetch() sends the URL's own). */
function withHost(url: string, path: string, host: string, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const req = request(url + path, { headers: { ...headers, host } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => {
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, json });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

const basicHeader = `Basic ${Buffer.from(`${ADMIN.name}:${ADMIN.password}`).toString('base64')}`;

describe('Host names', () => {
  let k: RunningKeyfob;
  let port: string;
  beforeAll(async () => {
    k = await startKeyfob({ KEYFOB_PUBLIC_URL: 'https://keyfob.example.com', KEYFOB_ALLOWED_HOSTS: 'keyfob.internal' });
    port = new URL(k.url).port;
  });
  afterAll(() => k.close());

  it('answers 421 to a name it does not know, as a rebound DNS name would send', async () => {
    for (const host of ['attacker.example', `attacker.example:${port}`, 'keyfob.example.com.attacker.example', 'internal']) {
      const reply = await withHost(k.url, PING, host);
      expect(reply.status, host).toBe(421);
      expect(reply.json.errors[0]).toMatchObject({ status: 421, code: 'MISDIRECTED' });
      expect(reply.json.errors[0].message).toMatch(/does not answer to the host name .*KEYFOB_ALLOWED_HOSTS/);
    }
  });

  it('answers to the public URL, the listen address and KEYFOB_ALLOWED_HOSTS, in any case and on any port', async () => {
    for (const host of ['keyfob.example.com', 'KEYFOB.Example.COM:443', `127.0.0.1:${port}`, 'keyfob.internal', 'keyfob.internal.:8080']) {
      expect((await withHost(k.url, PING, host)).status, host).toBe(200);
    }
  });

  it("builds the user list's links from the public URL, never from the request's Host", async () => {
    const reply = await withHost(k.url, '/artifactory/api/security/users', 'keyfob.internal', { authorization: basicHeader });
    expect(reply.status).toBe(200);
    expect(reply.json).toContainEqual({ name: 'admin', uri: 'https://keyfob.example.com/artifactory/api/security/users/admin', realm: 'internal' });
  });
});

describe('Host names with only a listen address', () => {
  let k: RunningKeyfob;
  beforeAll(async () => {
    k = await startKeyfob();
  });
  afterAll(() => k.close());

  it('answers to the loopback names when it listens on loopback, and to nothing else', async () => {
    const { port } = new URL(k.url);
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`]) expect((await withHost(k.url, PING, host)).status, host).toBe(200);
    for (const host of [`rebound.attacker.example:${port}`, `10.0.0.1:${port}`]) expect((await withHost(k.url, PING, host)).status, host).toBe(421);
  });
});

describe('State-changing requests a page of another site makes the browser send', () => {
  let k: RunningKeyfob;
  beforeAll(async () => {
    // The test's requests come from 127.0.0.1: here that is the SSO proxy, as for an admin behind one.
    k = await startKeyfob({ HTTP_SSO_HEADER: 'REMOTE_USER', HTTP_SSO_TRUSTED_PROXIES: '127.0.0.1,::1', HTTP_SSO_CREATE_USERS: 'true' });
    await k.createUser('vic', 'vic-Password-1');
  });
  afterAll(() => k.close());

  const apiKeyOf = async (auth: typeof admin) => (await k.call(API_KEY, { auth })).json;

  it.each([
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['Sec-Fetch-Site: same-site', { 'sec-fetch-site': 'same-site', origin: 'http://127.0.0.1:1' }],
    ['an Origin of another site (a browser without Sec-Fetch-*)', { origin: 'http://attacker.example' }],
    ['Origin: null (a sandboxed frame, a data: page)', { origin: 'null' }],
    ['a public URL lookalike', { origin: 'http://127.0.0.1.attacker.example' }],
  ])('refuses %s with cached Basic credentials, and nothing changes', async (_what, headers) => {
    const vic = { basic: ['vic', 'vic-Password-1'] as [string, string] };
    for (const [method, path] of [
      ['POST', API_KEY],
      ['POST', '/artifactory/api/security/users/authorization/expirePassword/vic'],
      ['DELETE', '/artifactory/api/security/users/vic'],
    ]) {
      const reply = await k.call(path!, { method, auth: path === API_KEY ? vic : admin, headers });
      expect(reply.status, `${method} ${path}`).toBe(403);
      expect(reply.json.errors[0]).toMatchObject({ status: 403, code: 'CROSS_SITE' });
      expect(reply.json.errors[0].message).toMatch(/another (site|origin)/);
    }
    expect(await apiKeyOf(vic)).toEqual({});
    expect((await k.call('/artifactory/api/security/users/vic', { auth: admin })).json).toMatchObject({ name: 'vic' });
    // Not expired: vic's password still works everywhere.
    expect((await k.call('/artifactory/api/system/version', { auth: vic })).status).toBe(200);
  });

  it('refuses the same through the SSO header, which the proxy adds for whoever holds its cookie', async () => {
    const reply = await k.call(API_KEY, {
      method: 'POST',
      headers: { 'remote-user': 'sam', 'sec-fetch-site': 'cross-site', origin: 'http://attacker.example' },
    });
    expect(reply.json.errors[0].code).toBe('CROSS_SITE');
    const session = await k.call('/api/v1/session/sso', { method: 'POST', headers: { 'remote-user': 'sam', origin: 'http://attacker.example' } });
    expect(session.status).toBe(403);
  });

  it('lets scripts through: no Origin, no Sec-Fetch-*', async () => {
    const sid = { basic: ['sid', 'sid-Password-1'] as [string, string] };
    await k.createUser('sid', 'sid-Password-1');
    expect((await k.call(API_KEY, { method: 'POST', auth: sid })).status).toBe(201);
    expect((await k.call(API_KEY, { method: 'DELETE', auth: sid })).status).toBe(200);
  });

  it("lets Keyfob's own pages through: same-origin, or the server's own Origin", async () => {
    const sid = { basic: ['sid', 'sid-Password-1'] as [string, string] };
    expect((await k.call(API_KEY, { method: 'POST', auth: sid, headers: { origin: k.url, 'sec-fetch-site': 'same-origin' } })).status).toBe(201);
    expect((await k.call(API_KEY, { method: 'DELETE', auth: sid, headers: { origin: k.url } })).status).toBe(200);
  });

  it('lets the extension through, as Chromium and Firefox send its calls with host permission', async () => {
    const chromium = { origin: 'chrome-extension://ihcnckbfinpjpdkolngjahmmhncladeb', 'sec-fetch-site': 'none' };
    const firefox = { origin: 'moz-extension://5b6f2c1e-8a3d-4c7e-9f10-2b3c4d5e6f70', 'sec-fetch-site': 'same-origin' };
    for (const headers of [chromium, firefox]) {
      const signIn = await k.call('/api/v1/session', { method: 'POST', json: { username: 'vic', password: 'vic-Password-1' }, headers });
      expect(signIn.status).toBe(200);
      expect((await k.call('/api/v1/session/lock', { method: 'POST', auth: { bearer: signIn.json.token }, headers })).status).toBe(200);
      expect((await k.call('/api/v1/session/sso', { method: 'POST', headers: { ...headers, 'remote-user': 'sam' } })).status).toBe(200);
    }
    // An extension without host permission for Keyfob is cross-site like any page.
    const noPermission = { origin: 'chrome-extension://ihcnckbfinpjpdkolngjahmmhncladeb', 'sec-fetch-site': 'cross-site' };
    expect((await k.call('/api/v1/session/sso', { method: 'POST', headers: { ...noPermission, 'remote-user': 'sam' } })).status).toBe(403);
  });

  it('lets a request through that carries its own Bearer token or API key: no page can add those', async () => {
    const sid = { basic: ['sid', 'sid-Password-1'] as [string, string] };
    const key = (await k.call(API_KEY, { method: 'POST', auth: sid })).json.apiKey;
    const crossSite = { 'sec-fetch-site': 'cross-site', origin: 'http://attacker.example' };
    const session = await k.call('/api/v1/session', { method: 'POST', json: { username: 'sid', password: 'sid-Password-1' } });
    expect((await k.call('/api/v1/session/lock', { method: 'POST', auth: { bearer: session.json.token }, headers: crossSite })).status).toBe(200);
    // Refused, but for having a key already: the guard let it through.
    const again = await k.call(API_KEY, { method: 'POST', auth: { apiKey: key }, headers: crossSite });
    expect(again.json.errors[0].code).not.toBe('CROSS_SITE');
  });

  it('leaves reads alone, and the SAML assertion consumer, which the identity provider posts to from its own site', async () => {
    expect((await k.call('/artifactory/api/system/version', { auth: admin, headers: { 'sec-fetch-site': 'cross-site' } })).status).toBe(200);
    const acs = await k.call('/api/v1/saml/acs', {
      method: 'POST',
      body: 'SAMLResponse=x&RelayState=y',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'cross-site', origin: 'https://idp.example' },
    });
    expect(acs.json?.errors?.[0]?.code).not.toBe('CROSS_SITE');
  });
});
