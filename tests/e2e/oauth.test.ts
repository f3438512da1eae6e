/**
 * OAuth from the popup, in Chromium with the extension, against a real OpenID Connect provider
 * (oidc-provider): Bind from the Account tab, then "Sign in with Corp SSO" on the sign-in screen, which
 * the background finishes while the user is at the provider.
 */
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchWithExtension, screenshot, waitForView, type ExtensionBrowser } from '../helpers/browser';
import { startKeyfob, type RunningKeyfob } from '../helpers/keyfob';
import { finishAtProvider, OIDC_CLIENT, startOidcProvider, type RunningOidcProvider } from '../helpers/oidc';
import { freePort } from '../helpers/process';

describe('OAuth from the popup', () => {
  let k: RunningKeyfob;
  let idp: RunningOidcProvider;
  let ext: ExtensionBrowser;
  let popup: Page;
  const click = (name: string, role = 'button') => popup.locator(`::-p-aria([name="${name}"][role="${role}"])`).click();
  /** The tab the extension opens at the provider; signs in there (when asked) and waits for Keyfob's page. */
  const atProvider = async (login: string) => {
    const target = await ext.browser.waitForTarget((t) => t.type() === 'page' && t.url().startsWith(idp.issuer), { timeout: 10_000 });
    const tab = (await target.asPage())!;
    tab.setDefaultTimeout(10_000);
    await tab.waitForFunction(() => document.readyState === 'complete', { polling: 100 });
    const text = await finishAtProvider(tab, login);
    await tab.close();
    return text;
  };

  beforeAll(async () => {
    const idpPort = await freePort();
    k = await startKeyfob({
      OAUTH_PROVIDERS: JSON.stringify([{ id: 'corp', name: 'Corp SSO', issuer: `http://127.0.0.1:${idpPort}`, clientId: OIDC_CLIENT.id, clientSecret: OIDC_CLIENT.secret }]),
    });
    idp = await startOidcProvider(idpPort, `${k.url}/api/v1/oauth/callback`);
    await k.createUser('ola', 'ola-Password-1');
    ext = await launchWithExtension();
    popup = await ext.openPopup();
    await waitForView(popup, 'setup');
    await popup.locator('input[name=serverUrl]').fill(k.url);
    await click('Connect');
    await waitForView(popup, 'sign-in');
  }, 60_000);
  afterAll(async () => {
    await ext?.close();
    await k?.close();
    await idp?.close();
  });

  it('binds the Corp SSO account from the Account tab', async () => {
    await popup.locator('input[name=username]').fill('ola');
    await popup.locator('input[name=password]').fill('ola-Password-1');
    await click('Sign in');
    await waitForView(popup, 'unlocked');
    await click('Account', 'tab');
    await popup.waitForSelector('::-p-aria([name="Bind Corp SSO"][role="button"])');
    await click('Bind Corp SSO');
    expect(await atProvider('ola.corp')).toMatch(/Corp SSO account is now bound to ola/);
    await popup.bringToFront();
    await popup.reload();
    await waitForView(popup, 'unlocked');
    await click('Account', 'tab');
    await popup.waitForFunction(() => document.querySelector('#oauth-heading')?.parentElement?.textContent?.includes('ola.corp@corp.test'), { polling: 100 });
    await screenshot(popup, 'bound-accounts');
  });

  it('signs in with Corp SSO from the sign-in screen; the background collects the session', async () => {
    await click('Sign out');
    await waitForView(popup, 'sign-in');
    await popup.waitForSelector('::-p-aria([name="Sign in with Corp SSO"][role="button"])');
    await click('Sign in with Corp SSO');
    expect(await atProvider('ola.corp')).toMatch(/Signed in to Keyfob as ola/);
    // The background polls for the session; the popup, opened again, is signed in (locked: no password was given).
    await popup.bringToFront();
    await popup.waitForFunction(async () => {
      const token = await (globalThis as any).chrome.storage.session.get('token');
      return typeof token.token === 'string';
    }, { polling: 200, timeout: 10_000 });
    await popup.reload();
    await waitForView(popup, 'locked');
    expect(await popup.$eval('header', (el) => el.textContent)).toContain('ola');
  });
});
