/**
 * The popup in Firefox ESR: the same build for Firefox, driven through WebDriver BiDi, against a real
 * Keyfob. Runs where /usr/bin/firefox-esr exists (`.ci/run` installs it).
 */
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY_PATTERN } from '../../shared/formats';
import { hasFirefox, launchFirefoxWithExtension, type FirefoxWithExtension } from '../helpers/firefox';
import { startKeyfob, type RunningKeyfob } from '../helpers/keyfob';

/** The extension API, as the popup (an extension page) sees it. */
declare const browser: { storage: Record<'local' | 'session', { get(keys: null): Promise<object>; set(items: object): Promise<void> }> };

const PASSWORD = 'fern-Password-1';
const VERSION = '/artifactory/api/system/version';

describe.runIf(hasFirefox)('toolbar popup in Firefox', () => {
  let k: RunningKeyfob;
  let ff: FirefoxWithExtension;
  let popup: Page;

  const view = (name: string) => popup.waitForSelector(`.popup[data-view="${name}"]`, { timeout: 10_000 });
  const text = (selector: string) => popup.$eval(selector, (el) => el.textContent ?? '');
  const click = (name: string) => popup.locator(`::-p-aria([name="${name}"][role="button"])`).click();
  const fill = (selector: string, value: string) => popup.locator(selector).fill(value);
  const keyStatus = (apiKey: string) => k.call(VERSION, { auth: { apiKey } }).then((r) => r.status);
  const revealKey = async () => {
    await click('View API key');
    await popup.waitForFunction(() => /^AKCp[A-Za-z0-9]{69}$/.test(document.querySelector('#api-key')?.textContent ?? ''), { polling: 100 });
    const key = await text('#api-key');
    await click('Hide API key');
    return key;
  };

  beforeAll(async () => {
    k = await startKeyfob();
    await k.createUser('fern', PASSWORD);
    ff = await launchFirefoxWithExtension();
    popup = await ff.browser.newPage();
    await ff.open(popup);
  }, 90_000);
  afterAll(async () => {
    await ff?.close();
    await k?.close().catch(() => undefined);
  });

  it('asks for the server, refuses a wrong password plainly, and signs in', async () => {
    await view('setup');
    await fill('input[name=serverUrl]', k.url);
    await click('Connect');
    await view('sign-in');
    await fill('input[name=username]', 'fern');
    await fill('input[name=password]', 'wrong-Password-0');
    await click('Sign in');
    await popup.waitForFunction(() => document.querySelector('.alert.error')?.textContent === 'Wrong user name or password.', { polling: 100 });
    await k.advance(2_000);
    await fill('input[name=password]', PASSWORD);
    await click('Sign in');
    await view('unlocked');
    expect(await text('header')).toContain('fern@example.com');
    expect(await text('header')).not.toContain('internal');
  });

  it('generates a key shown masked, reveals it, and copies it', async () => {
    await click('Generate API key');
    await popup.waitForFunction(() => /^AKCp•+\w{4}$/.test(document.querySelector('#api-key')?.textContent ?? ''), { polling: 100 });
    const key = await revealKey();
    expect(key).toMatch(API_KEY_PATTERN);
    expect(await keyStatus(key)).toBe(200);
    await popup.evaluate(() => browser.storage.local.set({ clipboardClearSeconds: 2 }));
    await ff.open(popup);
    await view('unlocked');
    await click('Copy API key');
    await popup.waitForFunction(() => document.querySelector('.status')?.textContent === 'Copied, clears in 2 s', { polling: 100 });
    // The popup is an extension page with clipboardRead: it may read the clipboard back.
    expect(await popup.evaluate(() => navigator.clipboard.readText())).toBe(key);
    // Cleared by the background page after the delay, the popup closed meanwhile.
    await ff.open(popup, 'options.html');
    await popup.waitForFunction(async () => (await navigator.clipboard.readText()) === '', { polling: 250, timeout: 8_000 });
    await ff.open(popup);
    await view('unlocked');
  });

  it('regenerates after confirmation: the old key gets 401, the new one works', async () => {
    const old = await revealKey();
    await click('Regenerate');
    await popup.waitForSelector('[role=alertdialog]');
    await popup.locator('[role=alertdialog] ::-p-aria([name="Regenerate"][role="button"])').click();
    await popup.waitForFunction(() => document.querySelector('.status')?.textContent?.startsWith('New API key made'), { polling: 100 });
    const fresh = await revealKey();
    expect(fresh).not.toBe(old);
    expect(await keyStatus(old)).toBe(401);
    expect(await keyStatus(fresh)).toBe(200);
  });

  it('revokes after confirmation', async () => {
    const key = await revealKey();
    await click('Revoke');
    await popup.locator('[role=alertdialog] ::-p-aria([name="Revoke"][role="button"])').click();
    await popup.waitForSelector('::-p-aria([name="Generate API key"][role="button"])');
    expect(await keyStatus(key)).toBe(401);
  });

  it('locks, refuses a wrong password, and unlocks', async () => {
    await click('Lock Keyfob');
    await view('locked');
    await fill('input[name=password]', 'wrong-Password-0');
    await click('Unlock');
    await popup.waitForFunction(() => document.querySelector('.alert.error')?.textContent === 'Wrong password.', { polling: 100 });
    await k.advance(2_000);
    await fill('input[name=password]', PASSWORD);
    await click('Unlock');
    await view('unlocked');
  });

  it('keeps the session token in session storage only, and locks itself after the idle time', async () => {
    const local = JSON.stringify(await popup.evaluate(() => browser.storage.local.get(null)));
    const session = JSON.stringify(await popup.evaluate(() => browser.storage.session.get(null)));
    expect(session).toMatch(/kfs_/);
    expect(local).not.toMatch(/kfs_|AKCp|AP1/);
    await popup.evaluate(() => browser.storage.session.set({ lastActivity: Date.now() - 6 * 60_000 }));
    await ff.open(popup);
    await view('locked');
  });

  it('says the server is out of reach, keeping the session, with Retry', async () => {
    await k.close();
    await ff.open(popup);
    await view('unreachable');
    await popup.waitForFunction(
      () => /Can't reach Keyfob at http:\/\/127\.0\.0\.1:\d+\. Is the server running/.test(document.querySelector('.alert')?.textContent ?? ''),
      { polling: 100 },
    );
    await popup.waitForSelector('::-p-aria([name="Retry"][role="button"])');
    expect(JSON.stringify(await popup.evaluate(() => browser.storage.session.get(null)))).toMatch(/kfs_/);
  });

  it('saves a new server address in the options page (Firefox takes a pattern without a port)', async () => {
    await ff.open(popup, 'options.html');
    await popup.waitForSelector('input[name=serverUrl]');
    await popup.locator('input[name=serverUrl]').fill('127.0.0.1:1');
    await popup.locator('::-p-aria([name="Save"][role="button"])').click();
    await popup.waitForFunction(() => document.querySelector('.status')?.textContent === 'Saved.', { polling: 100 });
    expect(await popup.evaluate(() => browser.storage.local.get(null))).toMatchObject({ serverUrl: 'http://127.0.0.1:1' });
    expect(await popup.$eval('.shortcuts', (el) => el.textContent)).toMatch(/Alt\+Shift\+F/);
  });
});
