/**
 * Fill in Firefox ESR: the legitimate pages still fill, and a trap is still refused. The test reaches the
 * shortcut's listener through the background page (as fill.test.ts does through Chrome's service worker),
 * from an extension page of the end-to-end build.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasFirefox, launchFirefoxWithExtension, type FirefoxWithExtension } from '../helpers/firefox';
import { startKeyfob, type RunningKeyfob } from '../helpers/keyfob';
import { pages } from './pages';
import { loginPages, trapPages } from './trapPages';

declare const browser: {
  runtime: { getBackgroundPage(): Promise<any> };
  tabs: { query(q: object): Promise<{ id: number; url: string }[]> };
  storage: { local: { set(o: object): Promise<void> } };
};

const PASSWORD = 'iris-Password-1';

describe.runIf(hasFirefox)('filling web forms in Firefox', () => {
  let k: RunningKeyfob;
  let ff: FirefoxWithExtension;
  let ext: Page;
  let site: Server;
  let port = 0;
  let apiKey = '';

  const openSite = async (path: string) => {
    const tab = await ff.browser.newPage();
    tab.setDefaultTimeout(8_000);
    await tab.goto(`http://127.0.0.1:${port}${path}`);
    return tab;
  };
  const shortcut = (tab: Page) =>
    ext.evaluate(async (url) => {
      const background = await browser.runtime.getBackgroundPage();
      // Firefox's match patterns have no port: find the tab by its address.
      const t = (await browser.tabs.query({})).find((candidate) => candidate.url === url);
      return JSON.parse(JSON.stringify(await background.keyfobE2E.fillCommand(t)));
    }, tab.url());
  const submit = async (tab: Page) => {
    await tab.evaluate(() => (document.querySelector('form') as HTMLFormElement).requestSubmit());
    return tab.evaluate(() => (window as unknown as { received: unknown }).received);
  };

  beforeAll(async () => {
    site = createServer((req, res) => {
      const all = { ...pages(`http://localhost:${port}`), ...loginPages(), ...trapPages(`http://localhost:${port}`) };
      const body = all[new URL(req.url ?? '/', 'http://x').pathname];
      res.writeHead(body ? 200 : 404, { 'content-type': 'text/html' }).end(body ?? 'not found');
    }).listen(0, '127.0.0.1');
    await once(site, 'listening');
    port = (site.address() as AddressInfo).port;
    k = await startKeyfob();
    await k.createUser('iris', PASSWORD);
    apiKey = (await k.call('/artifactory/api/security/apiKey', { method: 'POST', auth: { basic: ['iris', PASSWORD] } })).json.apiKey;

    // The build's host permission for 127.0.0.1, granted at install as a user's click on the prompt would.
    ff = await launchFirefoxWithExtension({ 'extensions.originControls.grantByDefault': true });
    ext = await ff.browser.newPage();
    await ff.open(ext);
    await ext.waitForSelector('.popup[data-view="setup"]', { timeout: 10_000 });
    await ext.locator('input[name=serverUrl]').fill(k.url);
    await ext.locator('::-p-aria([name="Connect"][role="button"])').click();
    await ext.waitForSelector('.popup[data-view="sign-in"]', { timeout: 10_000 });
    await ext.locator('input[name=username]').fill('iris');
    await ext.locator('input[name=password]').fill(PASSWORD);
    await ext.locator('::-p-aria([name="Sign in"][role="button"])').click();
    await ext.waitForSelector('.popup[data-view="unlocked"]', { timeout: 10_000 });
    await ext.evaluate((origin) => browser.storage.local.set({ fillApprovals: { [origin]: 1 } }), `http://127.0.0.1:${port}`);
  }, 90_000);
  afterAll(async () => {
    await ff?.close();
    await k?.close().catch(() => undefined);
    site?.close();
  });

  it('fills a plain login, an Artifactory-style login and a framework-controlled form', async () => {
    for (const [path, expected] of [
      ['/plain', { user: 'iris', pass: apiKey }],
      ['/login/artifactory', { username: 'iris', password: apiKey }],
      ['/framework', { username: 'iris', password: apiKey }],
    ] as const) {
      const tab = await openSite(path);
      const result = await shortcut(tab);
      expect(result, `${path}: ${JSON.stringify(result)}`).toMatchObject({ ok: true, outcome: { filled: ['username', 'API key'] } });
      expect(await submit(tab)).toEqual(expected);
      await tab.close();
    }
  });

  it("fills a web component's open shadow root and GitHub's secret textarea", async () => {
    let tab = await openSite('/login/shadow');
    expect(await shortcut(tab)).toMatchObject({ ok: true, outcome: { fields: ['Username', 'Password'] } });
    expect(await tab.evaluate(() => (window as unknown as { shadowValues(): string[] }).shadowValues())).toEqual(['iris', apiKey]);
    await tab.close();
    tab = await openSite('/login/github-secret');
    expect(await shortcut(tab)).toMatchObject({ ok: true, outcome: { filled: ['API key'] } });
    expect(await submit(tab)).toEqual({ secret_name: '', secret_value: apiKey });
    await tab.close();
  });

  it('refuses the traps there too, and says so', async () => {
    for (const path of ['/trap/overlay-pointer-events', '/trap/filter-opacity', '/trap/hide-on-focus', '/trap/popover']) {
      const tab = await openSite(path);
      const result = await shortcut(tab);
      expect(result.outcome?.message, `${path}: ${JSON.stringify(result)}`).toMatch(/This page hides a field \([^)]+\): Keyfob did not fill it\./);
      expect(((await submit(tab)) as { pass: string }).pass).toBe('');
      await tab.close();
    }
  });
});
