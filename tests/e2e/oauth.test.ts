/**
 * OAuth from the popup, in Chromium with the extension, against a real OpenID Connect provider
 * (oidc-provider): Bind from the Account tab (the page in the provider's tab names the account and the
 * user confirms there; the background approves with the code it read from its own tab), then "Sign in
 * with Corp SSO" on the sign-in screen: the background reads the code from the tab it opened, closes it,
 * and collects the session.
 */
import type { Page, Target } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchWithExtension, screenshot, waitForView, type ExtensionBrowser } from '../helpers/browser';
import { startKeyfob, type RunningKeyfob } from '../helpers/keyfob';
import { approveAtProvider, OIDC_CLIENT, startOidcProvider, type RunningOidcProvider } from '../helpers/oidc';
import { freePort } from '../helpers/process';

describe('OAuth from the popup', () => {
  let k: RunningKeyfob;
  let idp: RunningOidcProvider;
  let ext: ExtensionBrowser;
  let popup: Page;
  const click = (name: string, role = 'button') => popup.locator(`::-p-aria([name="${name}"][role="${role}"])`).click();
  /** The tab the extension opens: at the provider, or already back at Keyfob when the provider asked nothing. */
  const extensionTab = () =>
    ext.browser.waitForTarget((t) => t.type() === 'page' && (t.url().startsWith(idp.issuer) || t.url().startsWith(`${k.url}/api/v1/oauth/`)), {
      timeout: 10_000,
    });
  const closed = (target: Target) =>
    new Promise<void>((resolve) => {
      const check = (t: Target) => {
        if (t !== target) return;
        ext.browser.off('targetdestroyed', check);
        resolve();
      };
      ext.browser.on('targetdestroyed', check);
    });
  const until = async (what: string, check: () => Promise<boolean>) => {
    const deadline = Date.now() + 10_000;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  beforeAll(async () => {
    const idpPort = await freePort();
    k = await startKeyfob({
      OAUTH_PROVIDERS: JSON.stringify([
        { id: 'corp', name: 'Corp SSO', issuer: `http://127.0.0.1:${idpPort}`, clientId: OIDC_CLIENT.id, clientSecret: OIDC_CLIENT.secret },
      ]),
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

  it('binds the Corp SSO account from the Account tab, once confirmed on the page that names the account', async () => {
    await popup.locator('input[name=username]').fill('ola');
    await popup.locator('input[name=password]').fill('ola-Password-1');
    await click('Sign in');
    await waitForView(popup, 'unlocked');
    await click('Account', 'tab');
    await popup.waitForSelector('::-p-aria([name="Bind Corp SSO"][role="button"])');
    await click('Bind Corp SSO');
    const tab = (await (await extensionTab()).asPage())!;
    tab.setDefaultTimeout(10_000);
    await tab.waitForFunction(() => document.readyState === 'complete', { polling: 100 });
    await approveAtProvider(tab, 'ola.corp');
    await tab.waitForSelector('#result');
    expect(await tab.$eval('#result', (el) => el.textContent)).toMatch(
      /Bind your Corp SSO account ola\.corp \(ola\.corp@corp\.test\) to the Keyfob account ola\?/,
    );
    // The background read the code from its tab and approved; the page's confirmation binds.
    await until(
      'the background approved',
      async () => Number((await k.sql('select count(*) as n from oauth_flows where starter_approved_at is not null'))[0]!.n) === 1,
    );
    await Promise.all([tab.waitForNavigation(), tab.click('form button[type=submit]')]);
    expect(await tab.$eval('#result', (el) => el.textContent)).toMatch(/Corp SSO account is now bound to ola/);
    await tab.close();
    await popup.bringToFront();
    await popup.reload();
    await waitForView(popup, 'unlocked');
    await click('Account', 'tab');
    await popup.waitForFunction(() => document.querySelector('#oauth-heading')?.parentElement?.textContent?.includes('ola.corp@corp.test'), { polling: 100 });
    await screenshot(popup, 'bound-accounts');
  });

  it('signs in with Corp SSO from the sign-in screen; the background closes its tab and collects the session', async () => {
    await click('Sign out');
    await waitForView(popup, 'sign-in');
    await popup.waitForSelector('::-p-aria([name="Sign in with Corp SSO"][role="button"])');
    await click('Sign in with Corp SSO');
    const target = await extensionTab();
    const gone = closed(target);
    try {
      const tab = (await target.asPage())!;
      tab.setDefaultTimeout(10_000);
      await tab.waitForFunction(() => document.readyState === 'complete', { polling: 100 });
      await approveAtProvider(tab, 'ola.corp');
    } catch {
      // The extension closed the tab under us: the provider asked nothing this time.
    }
    await gone;
    // The popup, opened again, is signed in (locked: no password was given).
    await popup.bringToFront();
    await popup.waitForFunction(
      async () => {
        const token = await (globalThis as any).chrome.storage.session.get('token');
        return typeof token.token === 'string';
      },
      { polling: 200, timeout: 10_000 },
    );
    await popup.reload();
    await waitForView(popup, 'locked');
    expect(await popup.$eval('header', (el) => el.textContent)).toContain('ola');
  });
});
