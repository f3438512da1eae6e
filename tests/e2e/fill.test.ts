/**
 * Filling forms end to end in Chromium: pages served on 127.0.0.1 by the test record what they received
 * on submit. The popup's Fill (the real toolbar popup), the shortcut and the context menu paths; fields
 * found by autocomplete, type and label; framework-controlled inputs; same- and cross-origin frames;
 * clickjacking traps; an http:// page on another name; and nothing filled while locked.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Frame, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchWithExtension, waitForView, type ExtensionBrowser } from '../helpers/browser';
import { startKeyfob, type RunningKeyfob } from '../helpers/keyfob';
import { pages } from './pages';

const PASSWORD = 'nora-Password-1';
/** A name that is not loopback, mapped to 127.0.0.1 in Chromium's host resolver. */
const OTHER_HOST = 'ci.example.test';

declare const chrome: { tabs: { query(q: object): Promise<{ id: number; url: string }[]> } };
declare const keyfobE2E: { fillCommand(tab: object): Promise<any>; fillMenu(click: object, tab: object): Promise<any> };

describe('filling web forms', () => {
  let k: RunningKeyfob;
  let ext: ExtensionBrowser;
  let site: Server;
  let port = 0;
  let apiKey = '';
  let encryptedPassword = '';

  const received = (frame: Page | Frame) => frame.evaluate(() => (window as unknown as { received: unknown }).received);
  const submit = async (frame: Page | Frame) => {
    await frame.evaluate(() => (document.querySelector('form') as HTMLFormElement).requestSubmit());
    return received(frame);
  };
  const openSite = async (path: string, host = '127.0.0.1') => {
    const tab = await ext.browser.newPage();
    tab.setDefaultTimeout(8_000);
    await tab.goto(`http://${host}:${port}${path}`);
    await tab.bringToFront();
    return tab;
  };
  /** What the keyboard shortcut's listener does, with the tab the browser would pass it. */
  const shortcut = (tab: Page) => ext.worker.evaluate(async (url) => keyfobE2E.fillCommand((await chrome.tabs.query({ url }))[0]!), tab.url());
  const menu = (tab: Page, item: string) =>
    ext.worker.evaluate(async (url, menuItemId) => keyfobE2E.fillMenu({ menuItemId, frameId: 0 }, (await chrome.tabs.query({ url }))[0]!), tab.url(), item);
  /** The real toolbar popup over this tab (which grants activeTab, as a click on the icon does). */
  const toolbarPopup = async (tab: Page) => {
    await tab.bringToFront();
    const [extension] = [...(await ext.browser.extensions()).values()];
    const before = new Set(ext.browser.targets());
    await tab.triggerExtensionAction(extension!);
    const target = await ext.browser.waitForTarget((t) => !before.has(t) && t.url().endsWith('/popup.html'), { timeout: 10_000 });
    const popup = (await target.asPage())!;
    popup.setDefaultTimeout(8_000);
    await waitForView(popup, 'unlocked');
    return popup;
  };
  const popupStatus = (popup: Page, pattern: RegExp) =>
    popup.waitForFunction((source) => new RegExp(source).test(document.querySelector('.status')?.textContent ?? ''), { polling: 100 }, pattern.source);

  beforeAll(async () => {
    site = createServer((req, res) => {
      const body = pages(`http://localhost:${port}`)[new URL(req.url ?? '/', 'http://x').pathname];
      res.writeHead(body ? 200 : 404, { 'content-type': 'text/html' }).end(body ?? 'not found');
    }).listen(0, '127.0.0.1');
    await once(site, 'listening');
    port = (site.address() as AddressInfo).port;

    k = await startKeyfob();
    await k.createUser('nora', PASSWORD);
    const nora = { basic: ['nora', PASSWORD] as [string, string] };
    apiKey = (await k.call('/artifactory/api/security/apiKey', { method: 'POST', auth: nora })).json.apiKey;
    encryptedPassword = (await k.call('/artifactory/api/security/encryptedPassword', { auth: nora })).text;

    ext = await launchWithExtension([`--host-resolver-rules=MAP ${OTHER_HOST} 127.0.0.1`]);
    const popup = await ext.openPopup();
    await popup.locator('input[name=serverUrl]').fill(k.url);
    await popup.locator('::-p-aria([name="Connect"][role="button"])').click();
    await waitForView(popup, 'sign-in');
    await popup.locator('input[name=username]').fill('nora');
    await popup.locator('input[name=password]').fill(PASSWORD);
    await popup.locator('::-p-aria([name="Sign in"][role="button"])').click();
    await waitForView(popup, 'unlocked');
    await popup.close();
    // These tests are about finding fields: the sites are allowed already (fillPages.test.ts asks).
    await ext.worker.evaluate(
      (origins) => (globalThis as any).chrome.storage.local.set({ fillApprovals: Object.fromEntries(origins.map((o: string) => [o, 1])) }),
      [`http://127.0.0.1:${port}`, `http://${OTHER_HOST}:${port}`],
    );
  }, 60_000);
  afterAll(async () => {
    await ext?.close();
    await k?.close();
    site?.close();
  });

  it('popup: fills a plain login form with the username and the API key, and says so', async () => {
    const tab = await openSite('/plain');
    const popup = await toolbarPopup(tab);
    expect(await popup.$eval('.fill', (el) => el.textContent)).toContain(`127.0.0.1:${port}`);
    await popup.locator('::-p-aria([name="Fill"][role="button"])').click();
    await popupStatus(popup, new RegExp(`User name and API key filled into User and Password on 127\\.0\\.0\\.1:${port}`));
    expect(await submit(tab)).toEqual({ user: 'nora', pass: apiKey });
    await tab.close();
  });

  it('popup: the encrypted password when chosen, and the choice is remembered for the site', async () => {
    let tab = await openSite('/plain');
    let popup = await toolbarPopup(tab);
    await popup.select('select[aria-label="Secret to fill"]', 'encryptedPassword');
    await popup.locator('::-p-aria([name="Fill"][role="button"])').click();
    await popupStatus(popup, /User name and encrypted password filled into User and Password/);
    expect(await submit(tab)).toEqual({ user: 'nora', pass: encryptedPassword });
    await tab.close();
    tab = await openSite('/plain');
    popup = await toolbarPopup(tab);
    expect(await popup.$eval('select[aria-label="Secret to fill"]', (el) => (el as HTMLSelectElement).value)).toBe('encryptedPassword');
    expect(await shortcut(tab)).toMatchObject({ ok: true, outcome: { filled: ['username', 'encrypted password'] } });
    await tab.close();
  });

  it('shortcut: uses autocomplete, and never puts the key into new-password or one-time-code fields', async () => {
    await ext.worker.evaluate(() => (globalThis as any).chrome.storage.local.set({ fillChoices: {} }));
    const tab = await openSite('/autocomplete');
    const result = await shortcut(tab);
    expect(result).toMatchObject({ ok: true, outcome: { filled: ['username', 'API key'] } });
    expect(await submit(tab)).toEqual({ a: 'nora', b: apiKey, c: '', d: '' });
    // The shortcut has no popup: the page shows what was filled.
    expect(await tab.$eval('keyfob-notice', (el) => el.shadowRoot?.textContent)).toMatch(/Keyfob: User name and API key filled into Account and Secret/);
    await tab.close();
  });

  it('finds a username field and an "API token" field by their labels, and a single token field alone', async () => {
    const tab = await openSite('/token');
    expect((await shortcut(tab)).ok).toBe(true);
    expect(await submit(tab)).toEqual({ login: 'nora', apitoken: apiKey });
    await tab.close();
    const single = await openSite('/single-token');
    expect(await shortcut(single)).toMatchObject({ ok: true, outcome: { filled: ['API key'] } });
    expect(await submit(single)).toEqual({ tok: apiKey });
    await single.close();
  });

  it('fills framework-controlled inputs as typing would, so the state keeps the values', async () => {
    const tab = await openSite('/framework');
    expect((await shortcut(tab)).ok).toBe(true);
    await tab.click('input[name=username]'); // a re-render from state, as frameworks do
    expect(await submit(tab)).toEqual({ username: 'nora', password: apiKey });
    await tab.close();
  });

  it('fills a same-origin frame and leaves a cross-origin frame alone', async () => {
    const tab = await openSite('/frames');
    await tab.waitForFrame((f) => f.url() === `http://localhost:${port}/plain`);
    const result = await shortcut(tab);
    expect(result, JSON.stringify(result)).toMatchObject({ ok: true, outcome: { filled: ['username', 'API key'] } });
    const same = tab.frames().find((f) => f.url() === `http://127.0.0.1:${port}/plain`)!;
    const cross = tab.frames().find((f) => f.url() === `http://localhost:${port}/plain`)!;
    expect(await submit(same)).toEqual({ user: 'nora', pass: apiKey });
    expect(await submit(cross)).toEqual({ user: '', pass: '' });
    await tab.close();
  });

  it('leaves transparent, covered and off-screen fields alone, and says the page hides a field', async () => {
    const tab = await openSite('/traps');
    const result = await shortcut(tab);
    expect(result.ok).toBe(true);
    expect(result.outcome).toMatchObject({ filled: [], nothingFound: true, trap: true });
    expect(result.outcome.message).toMatch(/^This page hides a field \(.*\): Keyfob did not fill it\.$/);
    for (const reason of ['transparent', 'covered by something else', 'off-screen']) expect(result.outcome.message).toContain(reason);
    // A field the page does not show at all is no trap (a later step of a login), and not reported.
    expect(result.outcome.message).not.toContain('not shown');
    expect(await submit(tab)).toEqual({ hidden: '', faded: '', covered: '', offscreen: '' });
    await tab.close();
  });

  it('context menu: fills exactly the focused field', async () => {
    const tab = await openSite('/token');
    await tab.click('input[name=apitoken]');
    const first = await menu(tab, 'keyfob-fill-api-key');
    expect(first.outcome?.message).toBe(`API key filled into API token on 127.0.0.1:${port}.`);
    await tab.click('input[name=login]');
    expect(await menu(tab, 'keyfob-fill-username')).toMatchObject({ ok: true, outcome: { filled: ['username'] } });
    expect(await submit(tab)).toEqual({ login: 'nora', apitoken: apiKey });
    await tab.click('input[name=apitoken]');
    expect(await menu(tab, 'keyfob-fill-encrypted-password')).toMatchObject({ ok: true });
    expect(await submit(tab)).toEqual({ login: 'nora', apitoken: encryptedPassword });
    await tab.close();
  });

  it('asks before filling a secret into an http:// page on a name that is not this machine', async () => {
    const tab = await openSite('/plain', OTHER_HOST);
    const dialogs: string[] = [];
    let answer = false;
    tab.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void (answer ? dialog.accept() : dialog.dismiss());
    });
    const notice = (pattern: RegExp) =>
      tab.waitForFunction(
        (source) => new RegExp(source).test(document.querySelector('keyfob-notice')?.shadowRoot?.textContent ?? ''),
        { polling: 100 },
        pattern.source,
      );
    // The dialog takes focus from the toolbar popup, which closes (as it does for a user): the page tells the outcome.
    await (await toolbarPopup(tab)).locator('::-p-aria([name="Fill"][role="button"])').click();
    await notice(/Keyfob: Not filled/);
    expect(dialogs[0]).toMatch(new RegExp(`${OTHER_HOST}:${port} is not encrypted`));
    expect(await submit(tab)).toEqual({ user: '', pass: '' });
    answer = true;
    await (await toolbarPopup(tab)).locator('::-p-aria([name="Fill"][role="button"])').click();
    await notice(/Keyfob: User name and API key filled into User and Password/);
    expect(dialogs).toHaveLength(2);
    expect(await submit(tab)).toEqual({ user: 'nora', pass: apiKey });
    await tab.close();
  });

  it('fills nothing while locked, and opens the popup to unlock instead', async () => {
    const popup = await ext.openPopup();
    await waitForView(popup, 'unlocked');
    await popup.locator('::-p-aria([name="Lock Keyfob"][role="button"])').click();
    await waitForView(popup, 'locked');
    await popup.close();
    const tab = await openSite('/plain');
    expect(await shortcut(tab)).toMatchObject({ ok: false, reason: 'locked' });
    expect(await tab.$('keyfob-notice')).toBeNull();
    expect(await submit(tab)).toEqual({ user: '', pass: '' });
    await tab.close();
  });
});
