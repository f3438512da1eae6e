/**
 * The right field on the pages developers use, in Chromium: Artifactory-, Jenkins- and GitHub-style forms,
 * names that are not user names, a tie the label breaks, a multi-step login, a web component's open
 * shadow root; the context menu filling the right-clicked field whatever the page does with the focus;
 * a form in a frame from another site; and the question asked before the first fill on a new site.
 */
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFillHarness, type FillHarness } from './fillHarness';
import { pages } from './pages';
import { loginPages } from './trapPages';

declare const chrome: { storage: { local: { get(k: string): Promise<Record<string, any>> } } };

describe('fill finds the right field', () => {
  let h: FillHarness;
  let origin = '';
  beforeAll(async () => {
    h = await startFillHarness((cross) => ({ ...pages(cross), ...loginPages() }));
    origin = `http://127.0.0.1:${h.port}`;
    // Allowed for the tests of finding fields; the last test takes it back and asks.
    await h.approve(origin);
  }, 90_000);
  afterAll(() => h?.close());

  const approvals = () => h.ext.worker.evaluate(async () => (await chrome.storage.local.get('fillApprovals')).fillApprovals ?? {});
  /** Does what should open the approval window, and returns that window (a new one, not one seen before). */
  const approvalWindow = async (action: () => Promise<unknown>) => {
    const before = new Set(h.ext.browser.targets());
    const result = await action();
    const target = await h.ext.browser.waitForTarget((t) => !before.has(t) && t.url().includes('/approve.html'), { timeout: 10_000 });
    const page = (await target.asPage())!;
    page.setDefaultTimeout(8_000);
    // A window that is not in front may get no animation frames, and a locator's click waits on them
    // (the button's box must be seen stable): put it in front, as the user's eyes would be.
    await page.bringToFront();
    await page.waitForSelector('[data-view="approve"]');
    return { page, result: result as any };
  };
  const closed = (page: Page) => new Promise((resolve) => page.once('close', resolve));

  const fill = async (path: string) => {
    const tab = await h.openSite(path);
    return { tab, result: await h.shortcut(tab) };
  };

  it('Artifactory- and Jenkins-style logins, and the message names the fields', async () => {
    let { tab, result } = await fill('/login/artifactory');
    expect(result.outcome.message).toBe(`User name and API key filled into Username and Password on 127.0.0.1:${h.port}.`);
    expect(await h.submit(tab)).toEqual({ username: 'nora', password: h.apiKey });
    await tab.close();
    ({ tab, result } = await fill('/login/jenkins'));
    expect(result.outcome.message).toBe(`User name and API key filled into Username and Password on 127.0.0.1:${h.port}.`);
    expect(await h.submit(tab)).toEqual({ j_username: 'nora', j_password: h.apiKey });
    await tab.close();
  });

  it("GitHub's New secret: the value goes into the textarea, not the secret's name", async () => {
    const { tab, result } = await fill('/login/github-secret');
    expect(result.outcome).toMatchObject({ filled: ['API key'], fields: ['Secret'], trap: false });
    expect(await h.submit(tab)).toEqual({ secret_name: '', secret_value: h.apiKey });
    await tab.close();
  });

  it('names ("Integration name", a bare "Name") are neither the user name nor the secret', async () => {
    const { tab, result } = await fill('/login/integration');
    expect(result.outcome).toMatchObject({ filled: ['API key'], fields: ['API key'] });
    expect(await h.submit(tab)).toEqual({ integration_name: '', name: '', key: h.apiKey });
    await tab.close();
  });

  it('where two fields could be the user name, the one labelled so wins', async () => {
    const { tab } = await fill('/login/tie');
    expect(await h.submit(tab)).toEqual({ notify: '', login: 'nora', pass: h.apiKey });
    await tab.close();
  });

  it('a multi-step login: the user name on the first step, and no complaint about the password field not shown yet', async () => {
    const { tab, result } = await fill('/login/multi-step');
    expect(result.outcome).toMatchObject({ filled: ['username'], refused: [], trap: false });
    expect(result.outcome.message).toBe(`User name filled into Email or username on 127.0.0.1:${h.port}.`);
    expect(await h.secretInPage(tab, h.apiKey)).toBe(false);
    await tab.close();
  });

  it("fields in a web component's open shadow root", async () => {
    const { tab, result } = await fill('/login/shadow');
    expect(result.outcome).toMatchObject({ filled: ['username', 'API key'], fields: ['Username', 'Password'] });
    expect(await tab.evaluate(() => (window as unknown as { shadowValues(): string[] }).shadowValues())).toEqual(['nora', h.apiKey]);
    await tab.close();
  });

  it('a closed shadow root is out of reach: nothing is filled there, and the page is told so', async () => {
    const { tab, result } = await fill('/login/closed-shadow');
    expect(result.outcome).toMatchObject({ filled: [], trap: false });
    expect(result.outcome.message).toBe(`Found nothing to fill on 127.0.0.1:${h.port}.`);
    expect(await h.secretInPage(tab, h.apiKey)).toBe(false);
    await tab.close();
  });

  const rightClick = (tab: Page, selector: string) => tab.click(selector, { button: 'right' });

  it('context menu: the right-clicked field, in a real right-click', async () => {
    const tab = await h.openSite('/plain');
    await rightClick(tab, 'input[name=pass]');
    expect(await h.menu(tab, 'keyfob-fill-api-key')).toMatchObject({ ok: true, outcome: { filled: ['API key'], fields: ['Password'] } });
    await rightClick(tab, 'input[name=user]');
    expect(await h.menu(tab, 'keyfob-fill-username')).toMatchObject({ ok: true, outcome: { filled: ['username'], fields: ['User'] } });
    expect(await h.submit(tab)).toEqual({ user: 'nora', pass: h.apiKey });
    await tab.close();
  });

  it('context menu: a page that moves the focus to another field on right-click gets nothing', async () => {
    const tab = await h.openSite('/login/focus-thief');
    await rightClick(tab, 'input[name=user]');
    expect(await tab.evaluate(() => (document.activeElement as HTMLInputElement).name)).toBe('comment');
    const result = await h.menu(tab, 'keyfob-fill-api-key');
    expect(result.outcome).toMatchObject({ filled: [], trap: true });
    expect(result.outcome.message).toBe('The page moved the focus away from the field you right-clicked: Keyfob did not fill it.');
    expect(await h.notice(tab)).toContain('moved the focus away');
    expect(await h.secretInPage(tab, h.apiKey)).toBe(false);
    await tab.close();
  });

  it('context menu: a page that focuses a hidden field on right-click gets nothing', async () => {
    const tab = await h.openSite('/login/focus-hidden');
    await rightClick(tab, 'input[name=user]');
    expect(await tab.evaluate(() => (document.activeElement as HTMLInputElement).name)).toBe('pass');
    const result = await h.menu(tab, 'keyfob-fill-api-key');
    expect(result.outcome).toMatchObject({ filled: [], trap: true });
    expect(await h.secretInPage(tab, h.apiKey)).toBe(false);
    await tab.close();
  });

  it('a form in a frame from another site: the message says so, by the shortcut and the context menu', async () => {
    const tab = await h.openSite('/cross-only');
    await tab.waitForFrame((f) => f.url() === `http://localhost:${h.port}/plain`);
    const result = await h.shortcut(tab);
    expect(result.outcome.message).toBe(
      `Found nothing to fill on 127.0.0.1:${h.port}. The form may be in the frame from localhost:${h.port}, another site: Keyfob fills only the site in the address bar.`,
    );
    const frame = tab.frames().find((f) => f.url().startsWith(`http://localhost:${h.port}`))!;
    const frameId = await h.ext.worker.evaluate(
      async (url, frameUrl) => {
        const [t] = await (globalThis as any).chrome.tabs.query({ url });
        const frames = await (globalThis as any).chrome.webNavigation?.getAllFrames({ tabId: t.id });
        return frames?.find((f: { url: string }) => f.url === frameUrl)?.frameId ?? 1;
      },
      tab.url(),
      frame.url(),
    );
    await (await frame.$('input[name=pass]'))!.click({ button: 'right' });
    const menu = await h.menu(tab, 'keyfob-fill-api-key', frameId);
    expect(menu).toMatchObject({
      ok: false,
      reason: 'not-fillable',
      message: 'That field is in a frame from another site: Keyfob fills only the site in the address bar.',
    });
    expect(await frame.evaluate(() => (document.querySelector('[name=pass]') as HTMLInputElement).value)).toBe('');
    await tab.close();
  });

  it('asks before the first secret goes into a new site, naming it; Allow remembers it and fills; the options page revokes it', async () => {
    await h.ext.worker.evaluate(() => (globalThis as any).chrome.storage.local.set({ fillApprovals: {} }));
    const tab = await h.openSite('/plain');
    let ask = await approvalWindow(() => h.shortcut(tab));
    expect(ask.result).toMatchObject({ ok: false, reason: 'needs-approval' });
    expect(ask.result.message).toContain(`127.0.0.1:${h.port}`);
    expect(await ask.page.$eval('.origin', (el) => el.textContent)).toBe(origin);
    // Nothing reached the page while the question is open.
    expect(await h.secretInPage(tab, h.apiKey)).toBe(false);
    let gone = closed(ask.page);
    await ask.page.locator('::-p-aria([name="Don\'t allow"][role="button"])').click();
    await gone;
    expect(await approvals()).toEqual({});
    expect(await h.secretInPage(tab, h.apiKey)).toBe(false);

    ask = await approvalWindow(() => h.shortcut(tab));
    gone = closed(ask.page);
    await ask.page.locator(`::-p-aria([name="Allow 127.0.0.1:${h.port}"][role="button"])`).click();
    await gone;
    expect(await h.notice(tab)).toMatch(/User name and API key filled into User and Password/);
    expect(await h.submit(tab)).toEqual({ user: 'nora', pass: h.apiKey });
    expect(Object.keys(await approvals())).toEqual([origin]);
    // Remembered: the next fill asks nothing.
    expect(await h.shortcut(tab)).toMatchObject({ ok: true, outcome: { filled: ['username', 'API key'] } });

    const options = await h.ext.browser.newPage();
    await options.goto(`chrome-extension://${h.ext.extensionId}/options.html`);
    await options.waitForSelector('.approved-sites .origin');
    expect(await options.$eval('.approved-sites .origin', (el) => el.textContent)).toBe(origin);
    await options.locator(`::-p-aria([name="Revoke ${origin}"][role="button"])`).click();
    await options.waitForFunction(() => !document.querySelector('.approved-sites .origin'), { polling: 100 });
    expect(await approvals()).toEqual({});
    await options.close();
    // The user name alone is no secret: the context menu fills it without asking.
    await tab.bringToFront();
    await tab.click('input[name=user]');
    expect(await h.menu(tab, 'keyfob-fill-username')).toMatchObject({ ok: true, outcome: { filled: ['username'] } });
    ask = await approvalWindow(() => h.menu(tab, 'keyfob-fill-api-key'));
    expect(ask.result).toMatchObject({ ok: false, reason: 'needs-approval' });
    await ask.page.close();
    await tab.close();
  });

  it('popup: the first Fill on a new site asks in its own window too, then fills', async () => {
    await h.ext.worker.evaluate(() => (globalThis as any).chrome.storage.local.set({ fillApprovals: {} }));
    const tab = await h.openSite('/login/jenkins');
    const popup = await h.toolbarPopup(tab);
    const ask = await approvalWindow(() => popup.locator('::-p-aria([name="Fill"][role="button"])').click());
    expect(await ask.page.$eval('.origin', (el) => el.textContent)).toBe(origin);
    expect(await h.secretInPage(tab, h.apiKey)).toBe(false);
    const gone = closed(ask.page);
    await ask.page.locator(`::-p-aria([name="Allow 127.0.0.1:${h.port}"][role="button"])`).click();
    await gone;
    expect(await h.submit(tab)).toEqual({ j_username: 'nora', j_password: h.apiKey });
    await tab.close();
  });
});
