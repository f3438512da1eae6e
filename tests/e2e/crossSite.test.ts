/**
 * CSRF in real Chromium. The admin's browser holds credentials Keyfob accepts without any page seeing them:
 * Basic credentials it answered Keyfob's challenge with, and an SSO proxy in front of Keyfob that sets the
 * trusted user header for this browser. A page of another site (on localhost, which is another site than
 * 127.0.0.1 to the browser) posts a form and fetches at Keyfob's state-changing calls: Keyfob refuses
 * them and nothing changes, while a page of Keyfob's own origin still makes its calls.
 */
import { once } from 'node:events';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser';
import { ADMIN, startKeyfob, type RunningKeyfob } from '../helpers/keyfob';

const admin = { basic: [ADMIN.name, ADMIN.password] as [string, string] };
const API_KEY = '/artifactory/api/security/apiKey';
const EXPIRE_VIC = '/artifactory/api/security/users/authorization/expirePassword/vic';

// A form post needs no preflight; with no fields its body is empty, so Keyfob's JSON-only rule does not stop it.
const formPage = (action: string) => `<!doctype html><title>Win a prize</title><form method="POST" action="${action}"></form>
<script>document.forms[0].submit()</script>`;
const fetchPage = (url: string) => `<!doctype html><title>Cat pictures</title><script>
  window.done = fetch('${url}', { method: 'POST', mode: 'no-cors', credentials: 'include' }).then(() => 'sent', (e) => 'failed: ' + e);
</script>`;

async function listen(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

describe('a page of another site and the credentials the browser holds for Keyfob', () => {
  let k: RunningKeyfob;
  let attacker: Server;
  let attackerPort = 0;
  let proxy: Server;
  let proxyUrl = '';
  let browser: Browser;
  let page: Page;
  /** Keyfob's answer to the last request for each path, as the browser saw it (directly or through the proxy). */
  const answers = new Map<string, number>();

  beforeAll(async () => {
    // The test's proxy connects from 127.0.0.1: that is the trusted SSO proxy.
    k = await startKeyfob({ HTTP_SSO_HEADER: 'REMOTE_USER', HTTP_SSO_TRUSTED_PROXIES: '127.0.0.1' });
    await k.createUser('vic', 'vic-Password-1');
    await k.createUser('sso-admin', 'sso-Admin-Password-1', { realm: 'http-sso', admin: true });

    // The SSO proxy: it has already recognised this browser (by its cookie), so it names the user on every request.
    proxy = createServer((req, res) => {
      const upstream = request(k.url + req.url, { method: req.method, headers: { ...req.headers, 'remote-user': 'sso-admin' } }, (reply) => {
        res.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(res);
      });
      req.pipe(upstream);
    });
    proxyUrl = `http://127.0.0.1:${await listen(proxy)}`;

    const routes: Record<string, string> = { '/form': formPage(k.url + API_KEY), '/fetch': fetchPage(proxyUrl + EXPIRE_VIC) };
    attacker = createServer((req, res) => {
      const body = routes[req.url ?? ''];
      res.writeHead(body ? 200 : 404, { 'content-type': 'text/html' }).end(body ?? '');
    });
    attackerPort = await listen(attacker);

    browser = await launchChromium();
    page = await browser.newPage();
    page.setDefaultTimeout(8_000);
    // The admin signed in to Keyfob in this browser: it answers Keyfob's Basic challenge from now on.
    await page.authenticate({ username: ADMIN.name, password: ADMIN.password });
    page.on('response', (response) => {
      const url = new URL(response.url());
      if (url.origin === k.url || url.origin === proxyUrl) answers.set(url.pathname, response.status());
    });
  });
  afterAll(async () => {
    await browser?.close();
    attacker?.close();
    proxy?.close();
    await k?.close();
  });

  it("holds the admin's credentials: Keyfob's own pages open as the admin", async () => {
    await page.goto(`${k.url}/artifactory/api/security/users/vic`);
    // biome-ignore lint/performance/useDomNodeTextContent: the text as shown: Chrome's JSON viewer adds controls whose text is in textContent.
    expect(JSON.parse(await page.evaluate(() => document.body.innerText))).toMatchObject({ name: 'vic', passwordExpired: false });
  });

  it('refuses a form another site posts with the Basic credentials, and makes no API key', async () => {
    await page.goto(`http://localhost:${attackerPort}/form`);
    await page.waitForFunction((url) => location.href === url && document.readyState === 'complete', { polling: 100 }, k.url + API_KEY);
    // biome-ignore lint/performance/useDomNodeTextContent: as above.
    const body = JSON.parse(await page.evaluate(() => document.body.innerText));
    expect(body.errors[0]).toMatchObject({ status: 403, code: 'CROSS_SITE' });
    expect(answers.get(API_KEY)).toBe(403);
    expect((await k.call(API_KEY, { auth: admin })).json).toEqual({});
  });

  it("refuses a fetch another site makes through the SSO proxy, and vic's password does not expire", async () => {
    await page.goto(`http://localhost:${attackerPort}/fetch`);
    expect(await page.evaluate(() => (window as unknown as { done: Promise<string> }).done)).toBe('sent');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(answers.get(EXPIRE_VIC)).toBe(403);
    expect((await k.call('/artifactory/api/security/users/vic', { auth: admin })).json).toMatchObject({ passwordExpired: false });
  });

  it('blocks the preflight of every PUT and DELETE a page of another site tries, and nothing changes', async () => {
    const apiKey = (await k.call(API_KEY, { method: 'POST', auth: admin })).json.apiKey as string;
    const viaProxy = { 'remote-user': 'sso-admin' };
    await page.goto(`http://localhost:${attackerPort}/none`);
    const attempts: [string, string][] = [
      ['PUT', `${k.url}/api/v1/profile/apiKey`],
      ['DELETE', `${k.url}/api/v1/profile/apiKey/previous`],
      ['DELETE', `${k.url}/api/v1/sessions/0123456789abcdef`],
      ['PUT', `${proxyUrl}/api/v1/profile/notifications`],
      ['DELETE', `${proxyUrl}/api/v1/sessions/0123456789abcdef`],
    ];
    const outcomes = await page.evaluate(
      (list) =>
        Promise.all(
          list.map(([method, url]) =>
            fetch(url, {
              method,
              credentials: 'include',
              headers: { 'content-type': 'application/json' },
              body: '{"informational": false, "overlapSeconds": 3600}',
            }).then(
              (r) => `answered ${r.status}`,
              () => 'blocked',
            ),
          ),
        ),
      attempts,
    );
    expect(outcomes).toEqual(attempts.map(() => 'blocked'));
    // A form can only POST: none of these takes a POST, and the cross-site rule stops it first.
    const posted = await page.evaluate(
      (url) => fetch(url, { method: 'POST', mode: 'no-cors', credentials: 'include' }).then(() => 'sent'),
      `${proxyUrl}/api/v1/profile/notifications`,
    );
    expect(posted).toBe('sent');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(answers.get('/api/v1/profile/notifications')).toBe(403);
    expect((await k.call(API_KEY, { auth: admin })).json.apiKey).toBe(apiKey);
    expect((await k.call('/api/v1/profile', { headers: viaProxy })).json.notifyInformational).toBe(true);
  });

  it("lets a page of Keyfob's own origin make a state-changing call through the proxy", async () => {
    // Any page the proxy serves (the ping will do) is of Keyfob's origin as the browser sees it.
    await page.goto(`${proxyUrl}/artifactory/api/system/ping`);
    const reply = await page.evaluate(() => fetch('/api/v1/session/sso', { method: 'POST' }).then(async (r) => ({ status: r.status, body: await r.json() })));
    expect(reply.status).toBe(200);
    expect(reply.body.profile).toMatchObject({ name: 'sso-admin' });
  });
});
