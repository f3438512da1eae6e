/**
 * The popup's Tokens tab end to end: the extension as built, in Debian's Chromium, against a real Keyfob.
 * A user generates an identity token, copies it, a script uses it, and it stops working once revoked.
 */
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_TOKEN_PATTERN } from '../../shared/formats';
import { launchWithExtension, readClipboard, screenshot, waitForView, type ExtensionBrowser } from '../helpers/browser';
import { startKeyfob, type RunningKeyfob } from '../helpers/keyfob';

/** The extension's storage as seen from its service worker, where these snippets run. */
declare const chrome: { storage: Record<'local' | 'session', { get(keys: null): Promise<Record<string, unknown>> }> };

const PASSWORD = 'tara-Password-1';
const DESCRIPTION = 'CI deploys';

describe('popup tokens tab', () => {
  let k: RunningKeyfob;
  let ext: ExtensionBrowser;
  let popup: Page;
  let token = '';

  const text = (selector: string) => popup.$eval(selector, (el) => el.textContent ?? '');
  const click = (accessibleName: string, role = 'button') => popup.locator(`::-p-aria([name="${accessibleName}"][role="${role}"])`).click();
  const statusStartsWith = (prefix: string) =>
    popup.waitForFunction((p) => document.querySelector('.status')?.textContent?.startsWith(p), { polling: 100 }, prefix);
  /** What a script does with the copied token. */
  const asScript = (value: string) => fetch(`${k.url}/artifactory/api/system/version`, { headers: { authorization: `Bearer ${value}` } }).then((r) => r.status);
  const listed = () => popup.$$eval('#tab-panel ul.keys li', (items) => items.map((li) => li.textContent ?? ''));
  const storages = async () =>
    JSON.stringify(await ext.worker.evaluate(async () => ({ local: await chrome.storage.local.get(null), session: await chrome.storage.session.get(null) })));

  beforeAll(async () => {
    k = await startKeyfob();
    await k.createUser('tara', PASSWORD);
    ext = await launchWithExtension();
    popup = await ext.openPopup();
    await waitForView(popup, 'setup');
    await popup.locator('input[name=serverUrl]').fill(k.url);
    await click('Connect');
    await waitForView(popup, 'sign-in');
    await popup.locator('::-p-aria(User name)').fill('tara');
    await popup.locator('::-p-aria(Password)').fill(PASSWORD);
    await click('Sign in');
    await waitForView(popup, 'unlocked');
  }, 60_000);
  afterAll(async () => {
    await ext?.close();
    await k?.close().catch(() => undefined);
  });

  it('has a Tokens tab after Keys, reached with the arrow keys too, with the generate form and an empty list', async () => {
    await popup.focus('#tab-keys');
    await popup.keyboard.press('ArrowRight');
    await popup.waitForSelector('#tab-tokens[aria-selected=true]');
    expect(await popup.evaluate(() => document.activeElement?.id)).toBe('tab-tokens');
    await popup.waitForSelector('form[aria-label="Generate an identity token"]');
    expect(await text('#tab-panel h2')).toBe('Generate an identity token');
    await popup.waitForFunction(() => document.querySelector('#tab-panel')?.textContent?.includes('None yet.'), { polling: 100 });
    const choices = await popup.$$eval('select[name=expiresIn] option', (options) => options.map((o) => [o.textContent, (o as HTMLOptionElement).selected]));
    expect(choices).toEqual([
      ['1 day', false],
      ['30 days', true],
      ['90 days', false],
      ['1 year', false],
    ]);
  });

  it('asks for a description', async () => {
    // The field is required in the page too; without that, the tab says so itself.
    await popup.$eval('input[name=description]', (el) => el.removeAttribute('required'));
    await click('Generate token');
    await popup.waitForSelector('#tab-panel .alert.error'); // rendered once the click's step has run
    expect(await text('#tab-panel .alert.error')).toMatch(/Say what the token is for/);
  });

  it('generates a token, shown masked once with a note, kept in no extension storage', async () => {
    await popup.locator('input[name=description]').fill(DESCRIPTION);
    await popup.select('select[name=expiresIn]', String(90 * 86_400));
    await click('Generate token');
    await popup.waitForSelector('#identity-token');
    await statusStartsWith('Token generated');
    expect(await text('#identity-token')).toMatch(/^eyJ.••••••••[A-Za-z0-9_-]{4}$/);
    expect(await text('#tab-panel .alert.notice')).toBe('Copy it now: it is not shown again.');
    // Ready for another, with the expiry as chosen.
    expect(await popup.$eval('input[name=description]', (el) => (el as HTMLInputElement).value)).toBe('');
    expect(await popup.$eval('select[name=expiresIn]', (el) => (el as HTMLSelectElement).value)).toBe(String(90 * 86_400));
    await screenshot(popup, 'tokens');

    await click('View Identity token');
    await popup.waitForFunction(() => /^eyJ[^•]+$/.test(document.querySelector('#identity-token')?.textContent ?? ''), { polling: 100 });
    token = await text('#identity-token');
    expect(token).toMatch(ACCESS_TOKEN_PATTERN);
    await click('Hide Identity token');

    const stored = await storages();
    expect(stored).toMatch(/kfs_/); // the session token, as it should be
    expect(stored).not.toContain(token);
    expect(stored).not.toMatch(/eyJ[A-Za-z0-9_-]+\.eyJ/);
    expect(await popup.evaluate(() => JSON.stringify([{ ...localStorage }, { ...sessionStorage }]))).not.toContain('eyJ');
  });

  it('copies it, and the copy authenticates a script', async () => {
    await popup.bringToFront(); // the clipboard takes writes from a focused page only
    await click('Copy Identity token');
    await statusStartsWith('Copied, clears in 30 s');
    const copied = await readClipboard(popup);
    expect(copied).toBe(token);
    expect(await asScript(copied)).toBe(200);
  });

  it('lists it with its description, scope, dates and "never" used', async () => {
    const rows = await listed();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain(DESCRIPTION);
    expect(rows[0]).toContain('applied-permissions/user (acts as you)');
    expect(rows[0]).toMatch(/Created .+ · expires .+ · last used never/);
    expect(rows[0]).not.toContain(token.slice(-8));
  });

  it('gives every control of the tab an accessible name', async () => {
    const unnamed = await popup.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('#tab-panel :is(button, input, select, textarea, a[href], [tabindex])')]
        .filter((el) => !(el.getAttribute('aria-label') || el.textContent?.trim() || el.closest('label')?.textContent?.trim()))
        .map((el) => el.outerHTML.slice(0, 80)),
    );
    expect(unnamed).toEqual([]);
  });

  it('does not show the token again once the popup has closed', async () => {
    await popup.close();
    popup = await ext.openPopup();
    await waitForView(popup, 'unlocked');
    await click('Tokens', 'tab');
    await popup.waitForFunction(() => document.querySelectorAll('#tab-panel ul.keys li').length === 1, { polling: 100 });
    expect(await popup.$('#identity-token')).toBeNull();
    expect((await listed())[0]).toContain(DESCRIPTION);
  });

  it('revokes it after asking, and the script then gets 401', async () => {
    await click(`Revoke token ${DESCRIPTION}`);
    await popup.waitForSelector('[role=alertdialog]');
    expect(await text('[role=alertdialog] p')).toBe(`Revoke “${DESCRIPTION}”? Scripts using it stop working at once.`);
    expect(await popup.evaluate(() => document.activeElement?.textContent)).toBe('Cancel');
    await popup.locator('[role=alertdialog] ::-p-aria([name="Revoke"][role="button"])').click();
    await statusStartsWith(`Token “${DESCRIPTION}” revoked`);
    expect(await popup.$('[role=alertdialog]')).toBeNull();
    expect(await listed()).toEqual([]);
    expect(await asScript(token)).toBe(401);
  });

  it('asks to unlock when the unlock has lapsed, as the other secrets do', async () => {
    const { token: session } = (await ext.worker.evaluate(() => chrome.storage.session.get(null))) as { token: string };
    expect((await k.call('/api/v1/session/lock', { method: 'POST', auth: { bearer: session } })).status).toBe(200);
    await popup.locator('input[name=description]').fill('while locked');
    await click('Generate token');
    await waitForView(popup, 'locked');
    expect(await text('.alert.error')).toBe('Your Keyfob server ended the unlock. Enter your password to unlock again.');
    await popup.locator('::-p-aria(Password)').fill(PASSWORD);
    await click('Unlock');
    await waitForView(popup, 'unlocked');
    await click('Tokens', 'tab');
    await popup.waitForFunction(() => document.querySelector('#tab-panel')?.textContent?.includes('None yet.'), { polling: 100 });
  });
});
