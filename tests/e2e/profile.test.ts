/**
 * The popup's other sections end to end, in Debian's Chromium against a real Keyfob: SSH keys, Bintray,
 * password and email with the strength meter, recent activity, forgot password through a real SMTP
 * listener, an expired password, and what an external-realm user sees.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchWithExtension, screenshot, waitForView, type ExtensionBrowser } from '../helpers/browser';
import { ADMIN, startKeyfob, type RunningKeyfob } from '../helpers/keyfob';
import { keyFolder } from '../helpers/sshKeys';
import { resetLinkIn, startSmtpListener, type SmtpListener } from '../helpers/smtp';

const admin = { basic: [ADMIN.name, ADMIN.password] as [string, string] };

describe('popup sections', () => {
  let k: RunningKeyfob;
  let ext: ExtensionBrowser;
  let popup: Page;
  let smtp: SmtpListener;
  let bintray: Server;
  const keys = keyFolder();

  const text = (selector: string) => popup.$eval(selector, (el) => el.textContent ?? '');
  const click = (name: string, role = 'button') => popup.locator(`::-p-aria([name="${name}"][role="${role}"])`).click();
  const statusIs = (pattern: RegExp) =>
    popup.waitForFunction((source) => new RegExp(source).test(document.querySelector('.status')?.textContent ?? ''), { polling: 100 }, pattern.source);
  const fill = (selector: string, value: string) => popup.locator(selector).fill(value);
  const signIn = async (name: string, password: string) => {
    await fill('input[name=username]', name);
    await fill('input[name=password]', password);
    await click('Sign in');
  };

  beforeAll(async () => {
    smtp = await startSmtpListener();
    bintray = createServer((req, res) => {
      const good = `Basic ${Buffer.from('rita-bt:bintray-key-123').toString('base64')}`;
      res.writeHead(req.headers.authorization === good ? 200 : 401).end('{}');
    }).listen(0, '127.0.0.1');
    await once(bintray, 'listening');
    k = await startKeyfob({ SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, BINTRAY_API_URL: `http://127.0.0.1:${(bintray.address() as AddressInfo).port}` });
    await k.createUser('rita', 'rita-Password-1');
    // An internal user first: an ldap user's Keyfob password signs nobody in (the directory answers for them).
    await k.createUser('lars', 'lars-Password-1', { keysWithoutUnlock: true });
    ext = await launchWithExtension();
    popup = await ext.openPopup();
    await waitForView(popup, 'setup');
    await fill('input[name=serverUrl]', k.url);
    await click('Connect');
    await waitForView(popup, 'sign-in');
    await signIn('rita', 'rita-Password-1');
    await waitForView(popup, 'unlocked');
  }, 60_000);
  afterAll(async () => {
    await ext?.close();
    await k?.close();
    await smtp?.close();
    bintray?.close();
    keys.remove();
  });

  it('adds an SSH key, shows its fingerprint as ssh-keygen does, and removes it after confirmation', async () => {
    await click('SSH', 'tab');
    const pair = keys.keygen('ed25519', undefined, 'rita@laptop');
    await fill('textarea[name=publicKey]', 'not a key');
    await click('Add key');
    await popup.waitForFunction(() => /not an OpenSSH public key/.test(document.querySelector('.alert.error')?.textContent ?? ''), { polling: 100 });
    await fill('textarea[name=publicKey]', pair.publicText.trim());
    await click('Add key');
    await statusIs(/SSH key “rita@laptop” added/);
    const fingerprint = pair.keygenLine.split(' ')[1]!;
    expect(await text('.keys')).toContain(fingerprint);
    expect(await text('.keys')).toContain('ED25519 · 256 bits');
    await screenshot(popup, 'ssh-keys');
    await click('Remove SSH key rita@laptop');
    await popup.waitForSelector('[role=alertdialog]');
    await popup.locator('[role=alertdialog] ::-p-aria([name="Remove"][role="button"])').click();
    await statusIs(/removed/);
    expect(await popup.$('.keys')).toBeNull();
    expect((await k.call('/api/v1/profile/sshKeys', { auth: { basic: ['rita', 'rita-Password-1'] } })).json.keys).toEqual([]);
  });

  it('saves Bintray credentials masked, and Test says whether they work', async () => {
    await click('Bintray', 'tab');
    await fill('input[name=username]', 'rita-bt');
    await fill('input[name=apiKey]', 'wrong-key');
    await click('Test');
    await popup.waitForFunction(() => /refused/.test(document.querySelector('[role=status].warn')?.textContent ?? ''), { polling: 100 });
    await fill('input[name=apiKey]', 'bintray-key-123');
    await click('Save');
    await statusIs(/Bintray credentials saved/);
    expect(await text('#bintray-key')).toMatch(/^bint•+-123$/);
    await click('Test');
    await popup.waitForFunction(() => /work/.test(document.querySelector('[role=status].ok')?.textContent ?? ''), { polling: 100 });
    await click('View Bintray API key');
    await popup.waitForFunction(() => document.querySelector('#bintray-key')?.textContent === 'bintray-key-123', { polling: 100 });
    await click('Hide Bintray API key');
    await screenshot(popup, 'bintray');
  });

  it('changes the password with a live strength meter and the policy shown as it is typed', async () => {
    await click('Account', 'tab');
    await popup.waitForSelector('input[name=newPassword1]');
    await popup.type('input[name=newPassword1]', 'rita');
    await popup.waitForSelector('meter');
    expect(await popup.$eval('meter', (el) => (el as HTMLMeterElement).value)).toBeLessThanOrEqual(1);
    expect(await text('#password-rules')).toMatch(/at least 8 characters/);
    await popup.type('input[name=newPassword1]', '-Quartz-Lantern-77');
    await popup.waitForFunction(() => Number((document.querySelector('meter') as HTMLMeterElement | null)?.value) >= 3, { polling: 100 });
    await fill('input[name=oldPassword]', 'rita-Password-1');
    await fill('input[name=newPassword2]', 'rita-Quartz-Lantern-7');
    expect(await text('form[aria-label="Change password"]')).toContain('The two new passwords differ.');
    await screenshot(popup, 'account');
    await fill('input[name=newPassword2]', 'rita-Quartz-Lantern-77');
    await click('Change password');
    await statusIs(/Password changed/);
    expect((await k.call('/artifactory/api/system/version', { auth: { basic: ['rita', 'rita-Quartz-Lantern-77'] } })).status).toBe(200);
  });

  it('gives every control on every tab an accessible name', async () => {
    for (const tab of ['Keys', 'SSH', 'Bintray', 'Account']) {
      await click(tab, 'tab');
      await popup.waitForSelector('#tab-panel section');
      const unnamed = await popup.evaluate(() =>
        [...document.querySelectorAll<HTMLElement>('button, input, select, textarea, a[href], [tabindex]')]
          .filter((el) => !el.hasAttribute('disabled') && el.getAttribute('type') !== 'hidden')
          .filter((el) => !(el.getAttribute('aria-label') || el.textContent?.trim() || el.closest('label')?.textContent?.trim()))
          .map((el) => el.outerHTML.slice(0, 80)),
      );
      expect(unnamed, tab).toEqual([]);
    }
    await click('Account', 'tab');
  });

  it('changes the email, and lists recent activity', async () => {
    await fill('input[name=email]', 'rita@new.example');
    await click('Save');
    await statusIs(/Email changed/);
    expect(await text('header')).toContain('rita@new.example');
    // The old address hears of it, through the real SMTP listener.
    const notice = await smtp.nextMailAbout(/^Your Keyfob e-mail address was changed$/);
    expect(notice.to).toEqual(['rita@example.com']);
    expect(notice.raw).toMatch(/Your Keyfob e-mail address was changed/);
    await popup.waitForFunction(() => document.querySelector('.activity')?.textContent?.includes('Email changed'), { polling: 100 });
    const activity = await text('.activity');
    for (const line of ['Email changed', 'Password changed', 'Bintray credentials saved', 'SSH key removed', 'SSH key added', 'Signed in']) {
      expect(activity).toContain(line);
    }
    expect(activity).not.toMatch(/rita-Password-1|bintray-key-123/);
  });

  it('sends a reset link from the sign-in screen; the link sets a new password the popup then signs in with', async () => {
    await click('Sign out');
    await waitForView(popup, 'sign-in');
    await click('Forgot password?');
    await waitForView(popup, 'forgot');
    await screenshot(popup, 'forgot');
    await fill('input[name=username]', 'rita');
    await click('Send link');
    await waitForView(popup, 'sign-in');
    expect(await text('.alert')).toMatch(/If that user exists .* Check your mail/);
    const link = resetLinkIn(await smtp.nextMailAbout(/^Reset your Keyfob password$/));
    const tab = await ext.browser.newPage();
    await tab.goto(link);
    await tab.type('input[name=newPassword1]', 'rita-Reset-Password-1');
    await tab.type('input[name=newPassword2]', 'rita-Reset-Password-1');
    await tab.click('button[type=submit]');
    await tab.waitForFunction(() => document.getElementById('result')?.className === 'ok', { polling: 100 });
    await tab.close();
    await popup.bringToFront();
    await signIn('rita', 'rita-Reset-Password-1');
    await waitForView(popup, 'unlocked');
  });

  it('makes an expired password be changed before signing in', async () => {
    await k.call('/artifactory/api/security/users/authorization/expirePassword/rita', { method: 'POST', auth: admin });
    await click('Sign out');
    await waitForView(popup, 'sign-in');
    await signIn('rita', 'rita-Reset-Password-1');
    await waitForView(popup, 'expired');
    await popup.waitForSelector('.alert'); // the view's code loads on first use
    expect(await text('.alert')).toMatch(/expired/);
    await fill('input[name=oldPassword]', 'rita-Reset-Password-1');
    await fill('input[name=newPassword1]', 'rita-Renewed-Password-2');
    await fill('input[name=newPassword2]', 'rita-Renewed-Password-2');
    await screenshot(popup, 'expired');
    await click('Change and sign in');
    await waitForView(popup, 'unlocked');
  });

  it('tells an external-realm user why the password cannot change here, and shows their keys without unlock', async () => {
    await click('Sign out');
    await waitForView(popup, 'sign-in');
    await signIn('lars', 'lars-Password-1');
    await waitForView(popup, 'unlocked');
    // Then the admin moves him to the directory's realm: his session goes on; the popup, opened again, says why.
    await k.call('/artifactory/api/security/users/lars', { method: 'POST', auth: admin, json: { realm: 'ldap' } });
    await k.settle();
    await popup.reload();
    await waitForView(popup, 'unlocked');
    await click('Account', 'tab');
    await popup.waitForFunction(() => /LDAP directory: change your password there/.test(document.querySelector('#tab-panel')?.textContent ?? ''), {
      polling: 100,
    });
    expect(await popup.$eval('form[aria-label="Change password"] fieldset', (el) => (el as HTMLFieldSetElement).disabled)).toBe(true);
    await click('Lock Keyfob');
    // An admin let lars reach his keys without unlocking: locking changes nothing he can see.
    await waitForView(popup, 'unlocked');
  });
});
