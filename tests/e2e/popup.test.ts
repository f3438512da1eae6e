/**
 * The toolbar popup end to end: the extension as built, in Debian's Chromium, against a real Keyfob
 * started on a fresh database. Steps run in order, as a user would take them.
 */
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY_PATTERN, ENCRYPTED_PASSWORD_PATTERN } from '../../shared/formats';
import { launchWithExtension, readClipboard, screenshot, waitForView, type ExtensionBrowser } from '../helpers/browser';
import { startKeyfob, type RunningKeyfob } from '../helpers/keyfob';

/** The extension's storage as seen from its service worker, where these snippets run. */
declare const chrome: {
  storage: Record<'local' | 'session', { get(keys: null): Promise<object>; set(items: object): Promise<void> }>;
  runtime: { getManifest(): { icons?: Record<string, string> }; getURL(path: string): string };
};

const PASSWORD = 'vera-Password-1';
const VERSION = '/artifactory/api/system/version';

describe('toolbar popup', () => {
  let k: RunningKeyfob;
  let ext: ExtensionBrowser;
  let popup: Page;
  let apiKey = '';

  const text = (selector: string) => popup.$eval(selector, (el) => el.textContent ?? '');
  /** Clicks the button with this accessible name (headings can share a name with a button). */
  const click = (accessibleName: string) => popup.locator(`::-p-aria([name="${accessibleName}"][role="button"])`).click();
  const alertText = () => popup.waitForSelector('.alert.error, .alert.notice').then((el) => el!.evaluate((e) => e.textContent ?? ''));
  const revealApiKey = async () => {
    await click('View API key');
    await popup.waitForFunction(() => /^AKCp[A-Za-z0-9]{69}$/.test(document.querySelector('#api-key')?.textContent ?? ''), { polling: 100 });
    const value = await text('#api-key');
    await click('Hide API key');
    return value;
  };
  /** Reads the clipboard until `done` says so or the time is up; returns what it last read. */
  const clipboardWithin = async (ms: number, done: (text: string) => boolean) => {
    const deadline = Date.now() + ms;
    let text = await readClipboard(popup);
    while (!done(text) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      text = await readClipboard(popup);
    }
    return text;
  };
  const keyStatus = (key: string) => k.call(VERSION, { auth: { apiKey: key } }).then((r) => r.status);

  beforeAll(async () => {
    k = await startKeyfob();
    await k.createUser('vera', PASSWORD);
    ext = await launchWithExtension();
    // A short clipboard delay, so the test sees it cleared.
    await ext.worker.evaluate(() => chrome.storage.local.set({ clipboardClearSeconds: 2 }));
    popup = await ext.openPopup();
  }, 60_000);
  afterAll(async () => {
    await ext?.close();
    await k?.close().catch(() => undefined);
  });

  it('has an icon of its own at the toolbar and store sizes (not the grey letter)', async () => {
    const icons = await ext.worker.evaluate(async () => {
      const declared = chrome.runtime.getManifest().icons ?? {};
      return Promise.all(
        Object.entries(declared).map(async ([size, path]) => {
          const bytes = new Uint8Array(await (await fetch(chrome.runtime.getURL(path))).arrayBuffer());
          const view = new DataView(bytes.buffer);
          // A PNG: the signature, then IHDR's width and height.
          return {
            size: Number(size),
            png: bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47,
            width: view.getUint32(16),
            height: view.getUint32(20),
          };
        }),
      );
    });
    expect(icons.map((icon) => icon.size)).toEqual(expect.arrayContaining([16, 32, 48, 128]));
    for (const icon of icons) expect(icon).toEqual({ size: icon.size, png: true, width: icon.size, height: icon.size });
  });

  it('takes an address without a scheme, and asks once before plain http:// to another machine', async () => {
    await waitForView(popup, 'setup');
    expect(await popup.$eval('input[name=serverUrl]', (el) => (el as HTMLInputElement).value)).toBe('http://127.0.0.1:8787');
    await screenshot(popup, 'setup');
    // No browser "Please enter a URL" bubble: the form submits, and Keyfob reads it as http://keyfob.corp:8787.
    await popup.locator('input[name=serverUrl]').fill('keyfob.corp:8787');
    await click('Connect');
    await popup.locator('::-p-aria([name="Connect anyway"][role="button"])').wait();
    expect(await alertText()).toMatch(/plain http:\/\/ on another machine: your password, your session and any key you reveal travel unencrypted/);
    expect(await popup.$eval('.popup', (el) => el.getAttribute('data-view'))).toBe('setup');
    await screenshot(popup, 'setup-plain-http');
    await click('Change address');
    await popup.waitForSelector('input[name=serverUrl]');
    expect(await popup.$eval('input[name=serverUrl]', (el) => (el as HTMLInputElement).value)).toBe('http://keyfob.corp:8787');
  });

  it("keeps the typed address when Chrome's permission prompt closes the popup, and carries on when reopened", async () => {
    // As with Chrome's prompt up: nothing held yet, and the request never answers because the popup closes.
    await popup.evaluate(() => {
      const permissions = (globalThis as unknown as { chrome: { permissions: object } }).chrome.permissions;
      Object.defineProperty(permissions, 'contains', { value: async () => false });
      Object.defineProperty(permissions, 'request', { value: () => new Promise(() => undefined) });
    });
    await popup.locator('input[name=serverUrl]').fill(k.url.replace('http://', ''));
    await click('Connect');
    // The popup writes the draft before it asks; wait for that write, as the test cannot see the prompt.
    const draft = () => ext.worker.evaluate(async () => ((await chrome.storage.session.get(null)) as { draftServerUrl?: string }).draftServerUrl ?? null);
    for (let i = 0; i < 50 && (await draft()) === null; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await draft()).toBe(k.url);
    await popup.close();
    popup = await ext.openPopup();
    await waitForView(popup, 'sign-in');
    expect(await text('header')).toContain(k.url);
    expect(await ext.worker.evaluate(() => chrome.storage.local.get(null))).toMatchObject({ serverUrl: k.url });
  });

  it('signs in (a wrong password is said plainly)', async () => {
    await popup.locator('::-p-aria(User name)').fill('vera');
    await popup.locator('::-p-aria(Password)').fill('not-the-password');
    await click('Sign in');
    expect(await alertText()).toBe('Wrong user name or password.');
    await screenshot(popup, 'sign-in-error');
    await k.advance(2_000); // past the failure delay

    await popup.locator('::-p-aria(Password)').fill(PASSWORD);
    await click('Sign in');
    await waitForView(popup, 'unlocked');
    expect(await text('header')).toContain('vera');
    expect(await text('header')).toContain('vera@example.com');
    expect(await text('header')).not.toContain('internal');
  });

  it('switches Fill to the API key once the first key is generated', async () => {
    const tab = await ext.browser.newPage();
    await tab.goto(`${k.url}/artifactory/api/system/ping`);
    await tab.bringToFront();
    const [extension] = [...(await ext.browser.extensions()).values()];
    const before = new Set(ext.browser.targets());
    await tab.triggerExtensionAction(extension!);
    const target = await ext.browser.waitForTarget((t) => !before.has(t) && t.url() === `chrome-extension://${ext.extensionId}/popup.html`, {
      timeout: 10_000,
    });
    const toolbar = (await target.asPage())!;
    await toolbar.waitForSelector('select[aria-label="Secret to fill"]');
    const choice = () => toolbar.$eval('select[aria-label="Secret to fill"]', (el) => (el as HTMLSelectElement).value);
    expect(await choice()).toBe('encryptedPassword');
    await toolbar.locator('::-p-aria([name="Generate API key"][role="button"])').click();
    await toolbar.waitForSelector('#api-key');
    await toolbar.waitForFunction(() => (document.querySelector('select[aria-label="Secret to fill"]') as HTMLSelectElement).value === 'apiKey', {
      polling: 100,
    });
    // Back to no key, for the steps that follow.
    await k.call('/artifactory/api/security/apiKey', { method: 'DELETE', auth: { basic: ['vera', PASSWORD] } });
    await tab.close();
    await popup.bringToFront();
    await popup.reload();
    await waitForView(popup, 'unlocked');
  });

  it('generates a key, shows it masked, and reveals it on View', async () => {
    await click('Generate API key');
    await popup.waitForSelector('#api-key');
    const masked = await text('#api-key');
    expect(masked).toMatch(/^AKCp••••••••[A-Za-z0-9]{4}$/);
    apiKey = await revealApiKey();
    expect(apiKey).toMatch(API_KEY_PATTERN);
    expect(masked.endsWith(apiKey.slice(-4))).toBe(true);
    expect(await text('#api-key')).toBe(masked); // hidden again
    expect(await keyStatus(apiKey)).toBe(200);
    await screenshot(popup, 'unlocked');
    // Light and dark follow the system.
    await popup.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'dark' }]);
    expect(await popup.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(30, 31, 34)');
    await screenshot(popup, 'unlocked-dark');
    await popup.emulateMediaFeatures([]);
  });

  it('copies, says so, and clears the clipboard after the delay, also with the popup closed', async () => {
    await click('Copy API key');
    await popup.waitForFunction(() => document.querySelector('.status')?.textContent === 'Copied, clears in 2 s', { polling: 100 });
    expect(await readClipboard(popup)).toBe(apiKey);
    await popup.close(); // the clearing must not depend on the popup
    popup = await ext.openPopup();
    await waitForView(popup, 'unlocked');
    expect(await clipboardWithin(6_000, (text) => text === '')).toBe('');
  });

  it('leaves alone what the user copied since', async () => {
    await click('Copy API key');
    await popup.waitForFunction(() => document.querySelector('.status')?.textContent?.startsWith('Copied'), { polling: 100 });
    await popup.evaluate(() => navigator.clipboard.writeText('something of my own'));
    await new Promise((resolve) => setTimeout(resolve, 3_500)); // past the 2 s at which Keyfob looks
    expect(await readClipboard(popup)).toBe('something of my own');
  });

  it('reveals the encrypted password, the same the REST call gives', async () => {
    await click('View Encrypted password');
    await popup.waitForFunction(() => (document.querySelector('#encrypted-password')?.textContent ?? '').startsWith('AP1'), { polling: 100 });
    const shown = await text('#encrypted-password');
    expect(shown).toMatch(ENCRYPTED_PASSWORD_PATTERN);
    expect(shown).toBe((await k.call('/artifactory/api/security/encryptedPassword', { auth: { basic: ['vera', PASSWORD] } })).text);
    await click('Hide Encrypted password');
  });

  it('announces status only, never a revealed key', async () => {
    expect(await popup.$eval('#app', (el) => el.getAttribute('aria-live'))).toBeNull();
    await click('View API key');
    await popup.waitForFunction(() => /^AKCp[A-Za-z0-9]{69}$/.test(document.querySelector('#api-key')?.textContent ?? ''), { polling: 100 });
    expect(await popup.$eval('#api-key', (el) => el.closest('[aria-live], [role=status], [role=alert]') === null)).toBe(true);
    await click('Hide API key');
  });

  it('Escape cancels Regenerate, and focus goes back to the button', async () => {
    await popup.locator('::-p-aria([name="Regenerate"][role="button"])').click();
    await popup.waitForSelector('[role=alertdialog]');
    await popup.keyboard.press('Escape');
    await popup.waitForFunction(() => !document.querySelector('[role=alertdialog]') && document.activeElement?.textContent === 'Regenerate', { polling: 100 });
    await popup.locator('::-p-aria([name="Revoke"][role="button"])').click();
    await popup.waitForSelector('[role=alertdialog]');
    await popup.keyboard.press('Escape');
    await popup.waitForFunction(() => !document.querySelector('[role=alertdialog]') && document.activeElement?.textContent === 'Revoke', { polling: 100 });
    expect(await keyStatus(apiKey)).toBe(200);
  });

  it('regenerates after confirmation: the old key gets 401, the new one works', async () => {
    await click('Regenerate');
    await popup.waitForSelector('[role=alertdialog]');
    expect(await popup.evaluate(() => document.activeElement?.textContent)).toBe('Cancel');
    await screenshot(popup, 'confirm-regenerate');
    await popup.locator('[role=alertdialog] ::-p-aria([name="Regenerate"][role="button"])').click();
    await popup.waitForFunction(() => document.querySelector('.status')?.textContent?.startsWith('New API key'), { polling: 100 });
    const newKey = await revealApiKey();
    expect(newKey).not.toBe(apiKey);
    expect(await keyStatus(apiKey)).toBe(401);
    expect(await keyStatus(newKey)).toBe(200);
    apiKey = newKey;
  });

  it('regenerates with an overlap: both keys work, the old one is shown with its end, and End old key now stops it', async () => {
    await click('Regenerate');
    await popup.waitForSelector('[role=alertdialog] select');
    const offered = await popup.$$eval('[role=alertdialog] select option', (options) => options.map((o) => o.textContent));
    expect(offered).toEqual(['No: it stops at once', 'For 1 hour', 'For 1 day', 'For 7 days']);
    await popup.select('[role=alertdialog] select', '3600');
    expect(await text('#confirm-text')).toBe('Regenerate your API key? The current key keeps working for 1 hour, so scripts can move to the new one.');
    await popup.locator('[role=alertdialog] ::-p-aria([name="Regenerate"][role="button"])').click();
    await popup.waitForFunction(() => document.querySelector('.status')?.textContent === 'New API key made; the old one keeps working for 1 hour', {
      polling: 100,
    });
    const newKey = await revealApiKey();
    expect(newKey).not.toBe(apiKey);
    expect(await keyStatus(apiKey)).toBe(200);
    expect(await keyStatus(newKey)).toBe(200);
    const oldKeyText = await text('section[aria-label="Old API key"] p');
    expect(oldKeyText).toContain(`Old key, ends in ${apiKey.slice(-4)}: works until `);
    expect(oldKeyText).toContain('(in 1 hour)');
    await screenshot(popup, 'old-key-overlap');

    await click('End old key now');
    await popup.locator('[role=alertdialog] ::-p-aria([name="End old key"][role="button"])').click();
    await popup.waitForFunction(() => document.querySelector('.status')?.textContent === 'The old API key no longer works', { polling: 100 });
    expect(await popup.$('section[aria-label="Old API key"]')).toBeNull();
    expect(await keyStatus(apiKey)).toBe(401);
    expect(await keyStatus(newKey)).toBe(200);
    apiKey = newKey;
  });

  it('revokes after confirmation, then offers Generate', async () => {
    await click('Revoke');
    await popup.locator('[role=alertdialog] ::-p-aria([name="Revoke"][role="button"])').click();
    await popup.locator('::-p-aria([name="Generate API key"][role="button"])').wait();
    expect(await keyStatus(apiKey)).toBe(401);
  });

  it('says plainly when the key was revoked elsewhere, and shows one consistent state', async () => {
    await click('Generate API key');
    await popup.waitForSelector('#api-key');
    await popup.reload(); // opened again later: the key is masked, its value not in the popup
    await popup.waitForSelector('#api-key');
    await k.call('/artifactory/api/security/apiKey', { method: 'DELETE', auth: { basic: ['vera', PASSWORD] } });
    // The popup still shows the old key: View finds it gone, and the view becomes the server's.
    await click('View API key');
    await popup.locator('::-p-aria([name="Generate API key"][role="button"])').wait();
    expect(await alertText()).toMatch(/^Your API key was revoked elsewhere/);
    expect(await popup.$('#api-key')).toBeNull();
    expect(await popup.$('::-p-aria([name="Regenerate"][role="button"])')).toBeNull();
    expect(await popup.$('::-p-aria([name="Revoke"][role="button"])')).toBeNull();
    expect(await popup.$('.alert.error')).toBeNull();
    await screenshot(popup, 'key-revoked-elsewhere');
  });

  it('shows where the key was last used, from the requests scripts made with it', async () => {
    await click('Generate API key');
    await popup.waitForSelector('#api-key');
    const key = await revealApiKey();
    for (let i = 0; i < 3; i++) expect((await k.call(VERSION, { auth: { apiKey: key }, headers: { 'user-agent': 'curl/8.5.0' } })).status).toBe(200);
    await popup.reload();
    await popup.waitForFunction(() => /Last used just now from 127\.0\.0\.1 \(curl\/8\.5\.0\)/.test(document.querySelector('#tab-panel')?.textContent ?? ''), {
      polling: 100,
    });
    // In use: no nudge to revoke it.
    expect(await popup.evaluate(() => document.querySelector('#tab-panel')?.textContent?.includes('Not used in 90 days'))).toBe(false);
  });

  it('lists the sessions on Account, and ends another one at once', async () => {
    const firefox = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0';
    const other = (await k.call('/api/v1/session', { method: 'POST', headers: { 'user-agent': firefox }, json: { username: 'vera', password: PASSWORD } })).json
      .token as string;
    await popup.locator('::-p-aria([name="Account"][role="tab"])').click();
    await popup.waitForFunction(() => document.querySelector('section[aria-labelledby="sessions-heading"]')?.textContent?.includes('Firefox on Windows'), {
      polling: 100,
    });
    const listed = await popup.$eval('section[aria-labelledby="sessions-heading"]', (el) => el.textContent ?? '');
    expect(listed).toContain('(this browser)');
    expect(listed).toMatch(/Signed in [^·]* from 127\.0\.0\.1/);
    await popup.$eval('section[aria-labelledby="sessions-heading"]', (el) => el.scrollIntoView());
    await screenshot(popup, 'sessions');
    await popup.click('section[aria-labelledby="sessions-heading"] button.danger-outline');
    await popup.waitForFunction(() => document.querySelector('.status')?.textContent?.startsWith('Session ended: Firefox on Windows'), { polling: 100 });
    expect(await popup.$eval('section[aria-labelledby="sessions-heading"]', (el) => el.textContent ?? '')).not.toContain('Firefox on Windows');
    expect((await k.call('/api/v1/profile', { auth: { bearer: other } })).status).toBe(401);
    // The popup's own session goes on.
    expect(await popup.$eval('section[aria-labelledby="sessions-heading"]', (el) => el.textContent ?? '')).toContain('(this browser)');
    // Expiry reminders are the mail one may turn off; the server keeps the choice.
    await popup.click('input[type=checkbox]');
    await popup.waitForFunction(() => document.querySelector('.status')?.textContent?.startsWith('No more expiry reminders'), { polling: 100 });
    expect((await k.call('/api/v1/profile', { auth: { basic: ['vera', PASSWORD] } })).json.notifyInformational).toBe(false);
    await popup.click('input[type=checkbox]');
    await popup.waitForFunction(() => document.querySelector('.status')?.textContent?.startsWith('Keyfob will mail you'), { polling: 100 });
    // Back to where the steps after this one start: no key.
    await k.call('/artifactory/api/security/apiKey', { method: 'DELETE', auth: { basic: ['vera', PASSWORD] } });
    await popup.reload();
    await popup.locator('::-p-aria([name="Generate API key"][role="button"])').wait();
  });

  it('locks, refuses a wrong password, and unlocks', async () => {
    await click('Lock Keyfob');
    await waitForView(popup, 'locked');
    expect(await popup.$('#api-key')).toBeNull();
    await screenshot(popup, 'locked');
    await popup.locator('::-p-aria(Password)').fill('wrong-password');
    await click('Unlock');
    expect(await alertText()).toBe('Wrong password.');
    await k.advance(2_000);
    await popup.locator('::-p-aria(Password)').fill(PASSWORD);
    await click('Unlock');
    await waitForView(popup, 'unlocked');
  });

  it('can be used from the keyboard, and every control has an accessible name', async () => {
    const unnamed = await popup.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('button, input, select, a[href], [tabindex]')]
        .filter((el) => !el.hasAttribute('disabled'))
        .filter((el) => {
          const label =
            el.getAttribute('aria-label') ||
            el.textContent?.trim() ||
            (el.id && document.querySelector(`label[for="${el.id}"]`)?.textContent) ||
            el.closest('label')?.textContent?.trim();
          return !label;
        })
        .map((el) => el.outerHTML.slice(0, 80)),
    );
    expect(unnamed).toEqual([]);
    // Locked, a user types the password and presses Enter; nothing needs a mouse.
    await click('Lock Keyfob');
    await waitForView(popup, 'locked');
    await popup.bringToFront();
    await popup.waitForFunction(() => (document.activeElement as HTMLInputElement | null)?.name === 'password', { polling: 100 });
    await popup.keyboard.type(PASSWORD);
    await popup.keyboard.press('Enter');
    await waitForView(popup, 'unlocked');
    // Tab reaches View and Copy of the encrypted password (the key was revoked above), and Space works the focused button.
    const reached: string[] = [];
    for (let i = 0; i < 12 && !reached.includes('Copy Encrypted password'); i++) {
      await popup.keyboard.press('Tab');
      reached.push(await popup.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.textContent ?? ''));
    }
    expect(reached).toContain('Generate API key');
    expect(reached).toContain('View Encrypted password');
    expect(reached).toContain('Copy Encrypted password');
    await popup.keyboard.press('Space');
    await popup.waitForFunction(() => document.querySelector('.status')?.textContent?.startsWith('Copied'), { polling: 100 });
  });

  it('scrolls a long tab inside itself only: the header, the tabs and Sign out stay in view', async () => {
    // A browser shows a popup at most 600 px tall.
    await popup.setViewport({ width: 392, height: 600 });
    try {
      await popup.locator('::-p-aria([name="Account"][role="tab"])').click();
      await popup.waitForSelector('.activity li');
      const layout = await popup.evaluate(() => {
        const panel = document.getElementById('tab-panel')!;
        panel.scrollTop = panel.scrollHeight;
        const bottom = (selector: string) => document.querySelector(selector)!.getBoundingClientRect().bottom;
        return {
          panelScrolls: panel.scrollHeight > panel.clientHeight,
          pageScrolls: document.scrollingElement!.scrollHeight > window.innerHeight,
          height: window.innerHeight,
          signOutBottom: bottom('footer button'),
          tabsTop: document.querySelector('.tabs')!.getBoundingClientRect().top,
        };
      });
      // The Account tab is longer than the popup: otherwise this would test nothing.
      expect(layout.panelScrolls).toBe(true);
      expect(layout.pageScrolls).toBe(false);
      expect(layout.signOutBottom).toBeLessThanOrEqual(layout.height);
      expect(layout.tabsTop).toBeGreaterThanOrEqual(0);
    } finally {
      await popup.setViewport({ width: 392, height: 560 });
      await popup.locator('::-p-aria([name="Keys"][role="tab"])').click();
    }
  });

  it('keeps its settings on the options page', async () => {
    const options = await ext.browser.newPage();
    await options.goto(`chrome-extension://${ext.extensionId}/options.html`);
    await options.waitForSelector('select[name=autoLock]');
    expect(await options.$eval('input[name=serverUrl]', (el) => (el as HTMLInputElement).value)).toBe(k.url);
    await options.select('select[name=clearSeconds]', '60');
    await options.select('select[name=autoLock]', '15');
    await options.locator('::-p-aria([name="Save"][role="button"])').click();
    await options.waitForFunction(() => document.querySelector('.status')?.textContent === 'Saved.', { polling: 100 });
    expect(await ext.worker.evaluate(() => chrome.storage.local.get(null))).toMatchObject({ clipboardClearSeconds: 60, autoLock: '15' });
    await ext.worker.evaluate(() => chrome.storage.local.set({ clipboardClearSeconds: 2, autoLock: '5' }));
    await options.close();
    await popup.bringToFront();
  });

  it('locks by itself after the idle time', async () => {
    // Five minutes (the default) since the last use: the popup locks before it shows anything.
    await ext.worker.evaluate(() => chrome.storage.session.set({ lastActivity: Date.now() - 6 * 60_000 }));
    await popup.reload();
    await waitForView(popup, 'locked');
  });

  it("holds the auto-lock choice on the server past its default window, and says when the server's limit ended the unlock", async () => {
    // "When the browser restarts": the server keeps the unlock as long as it allows (its default maximum, 12 hours).
    await ext.worker.evaluate(() => chrome.storage.local.set({ autoLock: 'restart' }));
    await popup.reload();
    await waitForView(popup, 'locked');
    await popup.locator('::-p-aria(Password)').fill(PASSWORD);
    await click('Unlock');
    await waitForView(popup, 'unlocked');
    expect(await text('.lock-note')).toMatch(/^Locks when the browser restarts, and at .+ at the latest \(your server's limit\)\.$/);
    // Far past the server's default window of five minutes, used, and still open.
    await k.advance(6 * 60 * 60_000);
    await popup.reload();
    await waitForView(popup, 'unlocked');
    await k.advance(6 * 60 * 60_000 + 60_000);
    await popup.reload();
    await waitForView(popup, 'locked');
    expect(await text('.alert.notice')).toMatch(
      /^Your Keyfob server ended the unlock at .+: it keeps one open 12 hours at most\. Enter your password to unlock again\.$/,
    );
    await screenshot(popup, 'locked-by-server');
    await popup.locator('::-p-aria(Password)').fill(PASSWORD);
    await click('Unlock');
    await waitForView(popup, 'unlocked');
    await ext.worker.evaluate(() => chrome.storage.local.set({ autoLock: '5' }));
  });

  it('keeps the session token out of local storage', async () => {
    const local = JSON.stringify(await ext.worker.evaluate(() => chrome.storage.local.get(null)));
    const session = JSON.stringify(await ext.worker.evaluate(() => chrome.storage.session.get(null)));
    expect(session).toMatch(/kfs_/);
    expect(local).not.toMatch(/kfs_|AKCp|AP1/);
  });

  it('opens as the real toolbar popup from any tab, chrome:// pages included', async () => {
    const tab = await ext.browser.newPage();
    await tab.goto('chrome://version');
    await tab.bringToFront();
    const [extension] = [...(await ext.browser.extensions()).values()];
    const before = new Set(ext.browser.targets());
    await tab.triggerExtensionAction(extension!);
    const target = await ext.browser.waitForTarget((t) => !before.has(t) && t.url() === `chrome-extension://${ext.extensionId}/popup.html`, {
      timeout: 10_000,
    });
    const toolbarPopup = (await target.asPage())!;
    await toolbarPopup.waitForSelector('.popup[data-view="unlocked"], .popup[data-view="locked"]');
    await tab.close();
    await popup.bringToFront();
  });

  it('signs out', async () => {
    await click('Sign out');
    await waitForView(popup, 'sign-in');
    expect(await alertText()).toBe('Signed out.');
  });

  it('says the server is out of reach when the popup opens, keeping the session, with Retry', async () => {
    await popup.locator('::-p-aria(Password)').fill(PASSWORD);
    await popup.locator('::-p-aria(User name)').fill('vera');
    await click('Sign in');
    await waitForView(popup, 'unlocked');
    const session = JSON.stringify(await ext.worker.evaluate(() => chrome.storage.session.get(null)));
    await k.close();
    await popup.reload();
    await waitForView(popup, 'unreachable');
    expect(await alertText()).toMatch(/^Can't reach Keyfob at http:\/\/127\.0\.0\.1:\d+\. Is the server running, and is the address right\?$/);
    await popup.locator('::-p-aria([name="Retry"][role="button"])').wait();
    expect(JSON.stringify(await ext.worker.evaluate(() => chrome.storage.session.get(null)))).toBe(session);
    await screenshot(popup, 'unreachable');
    await click('Retry');
    await waitForView(popup, 'unreachable');
  });

  it('keeps a visible warning while connected to a plain http:// server on another machine', async () => {
    await ext.worker.evaluate(() => chrome.storage.local.set({ serverUrl: 'http://keyfob.corp:8787' }));
    await popup.reload();
    await popup.waitForSelector('.plain-http');
    expect(await text('.plain-http')).toBe('Not encrypted: http://keyfob.corp:8787 is plain http://.');
    await screenshot(popup, 'plain-http-connected');
  });
});
