/**
 * Forgot password end to end on Node: a real SMTP listener receives the mail, a real Chromium follows
 * the link and sets the password; the link then fails a second time and after expiry; delivery survives
 * an SMTP outage; without SMTP the outbox keeps the mail and `npm run outbox` shows it.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startKeyfob, type RunningKeyfob } from '../helpers/keyfob';
import { launchChromium } from '../helpers/browser';
import { REPO_ROOT } from '../helpers/process';
import { resetLinkIn, startSmtpListener, type SmtpListener } from '../helpers/smtp';

const V = '/api/v1';
const admin = { basic: [ADMIN.name, ADMIN.password] as [string, string] };
const requestReset = (k: RunningKeyfob, username: string) => k.call(`${V}/passwordReset`, { method: 'POST', json: { username } });
const signIn = (k: RunningKeyfob, username: string, password: string) => k.call(`${V}/session`, { method: 'POST', json: { username, password } });
const tokenOf = (link: string) => new URL(link).hash.replace('#token=', '');

async function waitUntil<T>(check: () => Promise<T | null | undefined | false>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('forgot password, by mail', () => {
  let smtp: SmtpListener;
  let k: RunningKeyfob;
  let browser: Browser;
  beforeAll(async () => {
    smtp = await startSmtpListener();
    k = await startKeyfob({ SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, MAIL_FROM: 'Keyfob <keyfob@test.example>' });
    await k.createUser('alice', 'alice-Password-1');
    await k.createUser('nomail', 'nomail-Password-1');
    await k.sql("update users set email = null where name = 'nomail'");
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await k?.close();
    await smtp?.close();
  });

  it('mails a link that a real browser follows to set a new password, once', async () => {
    const apiKey = (await k.call('/artifactory/api/security/apiKey', { method: 'POST', auth: { basic: ['alice', 'alice-Password-1'] } })).json.apiKey;
    const session = await signIn(k, 'alice', 'alice-Password-1');
    expect((await requestReset(k, 'alice')).status).toBe(202);
    const mail = await smtp.nextMail();
    expect(mail.to).toEqual(['alice@example.com']);
    expect(mail.raw).toMatch(/Subject: Reset your Keyfob password/);
    expect(mail.raw).toMatch(/From: Keyfob <keyfob@test\.example>/);
    const link = resetLinkIn(mail);
    expect(link.startsWith(`${k.url}/reset-password#token=`)).toBe(true);
    // Only a hash of the token is kept.
    expect(JSON.stringify(await k.sql('select * from password_resets'))).not.toContain(tokenOf(link));

    const page = await browser.newPage();
    page.setDefaultTimeout(8_000);
    await page.goto(link);
    expect(page.url()).toBe(`${k.url}/reset-password`); // the token left the address bar
    await page.type('input[name=newPassword1]', 'alice-Password-2');
    await page.type('input[name=newPassword2]', 'alice-Password-2');
    await page.click('button[type=submit]');
    await page.waitForFunction(() => document.getElementById('result')?.className === 'ok', { polling: 100 });
    expect(await page.$eval('#result', (el) => el.textContent)).toMatch(/has been changed/);
    // The owner hears that the password changed, and how; the notice carries no link and no secret.
    const notice = await smtp.nextMail();
    expect(notice.to).toEqual(['alice@example.com']);
    expect(notice.raw).toMatch(/Subject: Your Keyfob password was changed/);
    expect(notice.raw.replace(/=\r?\n/g, '')).toMatch(/was changed with a reset link sent to this address/);
    expect(notice.raw).not.toMatch(/reset-password#token=|alice-Password-2/);

    expect((await signIn(k, 'alice', 'alice-Password-2')).status).toBe(200);
    expect((await signIn(k, 'alice', 'alice-Password-1')).status).toBe(401);
    // Every session ended; the API key stays.
    expect((await k.call(`${V}/profile`, { auth: { bearer: session.json.token } })).status).toBe(401);
    expect((await k.call('/artifactory/api/system/version', { auth: { apiKey } })).status).toBe(200);

    // The same link a second time: refused, in the page as in the API.
    await page.goto(link);
    await page.type('input[name=newPassword1]', 'alice-Password-3');
    await page.type('input[name=newPassword2]', 'alice-Password-3');
    await page.click('button[type=submit]');
    await page.waitForFunction(() => document.getElementById('result')?.className === 'error', { polling: 100 });
    expect(await page.$eval('#result', (el) => el.textContent)).toMatch(/expired or was already used/);
    await page.close();
  });

  it('holds the new password to the policy on the reset page too', async () => {
    await k.advance(16 * 60_000);
    await requestReset(k, 'alice');
    const token = tokenOf(resetLinkIn(await smtp.nextMail()));
    const reply = await k.call(`${V}/passwordReset/complete`, { method: 'POST', json: { token, newPassword1: 'short', newPassword2: 'short' } });
    expect(reply.json.errors[0].message).toMatch(/at least 8 characters/);
    const common = await k.call(`${V}/passwordReset/complete`, { method: 'POST', json: { token, newPassword1: 'Password123', newPassword2: 'Password123' } });
    expect(common.status).toBe(400);
    expect(common.json.errors[0].message).toMatch(/one of the most commonly used passwords/);
    // A refused try does not use the link up.
    const ok = await k.call(`${V}/passwordReset/complete`, {
      method: 'POST',
      json: { token, newPassword1: 'alice-Password-4', newPassword2: 'alice-Password-4' },
    });
    expect(ok.status).toBe(200);
    expect((await smtp.nextMail()).raw).toMatch(/Subject: Your Keyfob password was changed/);
  });

  it('refuses a link after its 30 minutes', async () => {
    await k.advance(16 * 60_000);
    await requestReset(k, 'alice');
    const token = tokenOf(resetLinkIn(await smtp.nextMail()));
    await k.advance(31 * 60_000);
    const reply = await k.call(`${V}/passwordReset/complete`, {
      method: 'POST',
      json: { token, newPassword1: 'alice-Password-5', newPassword2: 'alice-Password-5' },
    });
    expect(reply.status).toBe(404);
    expect(reply.json.errors[0].message).toMatch(/expired or was already used/);
  });

  it('sends nothing for unknown users, users without email, or past three requests per user', async () => {
    await k.advance(16 * 60_000);
    const before = smtp.received.length;
    await requestReset(k, 'nobody');
    await requestReset(k, 'nomail');
    for (let i = 0; i < 5; i++) await requestReset(k, 'alice');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(smtp.received.length - before).toBe(3);
    smtp.received.splice(before); // not for later tests
  });

  it('clears the delays of failed sign-ins but keeps a lock', async () => {
    await k.createUser('bob', 'bob-Password-1');
    await k.createUser('carl', 'carl-Password-1');
    await k.call('/artifactory/api/security/userLockPolicy', { method: 'PUT', auth: admin, json: { enabled: true, loginAttempts: 2 } });
    for (const name of ['bob', 'bob', 'carl']) {
      await signIn(k, name, 'wrong-Password-0');
      await k.advance(61_000);
    }
    expect((await signIn(k, 'bob', 'bob-Password-1')).json.errors[0].code).toBe('USER_LOCKED');
    await k.advance(16 * 60_000);
    for (const [name, password] of [
      ['bob', 'bob-Password-2'],
      ['carl', 'carl-Password-2'],
    ]) {
      await requestReset(k, name as string);
      const token = tokenOf(resetLinkIn(await smtp.nextMail()));
      expect((await k.call(`${V}/passwordReset/complete`, { method: 'POST', json: { token, newPassword1: password, newPassword2: password } })).status).toBe(
        200,
      );
      expect((await smtp.nextMail()).raw).toMatch(/Subject: Your Keyfob password was changed/);
    }
    // The delays per address are gone; the names' own counts stay (bob's is his lock).
    expect(await k.sql("select * from login_failures where name_key like 'bob %' or name_key like 'carl %'")).toEqual([]);
    expect((await signIn(k, 'bob', 'bob-Password-2')).json.errors[0].code).toBe('USER_LOCKED');
    expect((await signIn(k, 'carl', 'carl-Password-2')).status).toBe(200);
    await k.call('/artifactory/api/security/userLockPolicy', { method: 'PUT', auth: admin, json: { enabled: false, loginAttempts: 5 } });
  });

  it('loses no request while SMTP is down, and delivers once it is back', async () => {
    await k.advance(16 * 60_000);
    const port = smtp.port;
    await smtp.close();
    await requestReset(k, 'alice');
    const [row] = await waitUntil(async () => {
      const rows = await k.sql('select attempts, last_error, delivered_at from outbox where delivered_at is null');
      return rows.length === 1 && Number(rows[0]!.attempts) >= 1 ? rows : null;
    });
    expect(row!.last_error).toMatch(/delivery failed/);
    smtp = await startSmtpListener(port);
    await k.advance(10 * 60_000); // past the backoff
    const mail = await smtp.nextMail();
    expect(resetLinkIn(mail)).toContain('/reset-password#token=');
    expect(await k.sql('select * from outbox where delivered_at is null')).toEqual([]);
  });
});

describe('forgot password without SMTP', () => {
  let k: RunningKeyfob;
  beforeAll(async () => {
    k = await startKeyfob();
    await k.createUser('dora', 'dora-Password-1');
  });
  afterAll(() => k.close());

  it('keeps the mail in the outbox, sealed, and `npm run outbox` prints the link', async () => {
    await requestReset(k, 'dora');
    await waitUntil(async () => (await k.sql('select id from outbox')).length === 1);
    const [row] = await k.sql('select sealed_body from outbox');
    expect(String(row!.sealed_body)).not.toContain('reset-password');
    const dataDir = k.dataDir;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'api/node/outboxCli.ts'], {
      cwd: REPO_ROOT,
      env: { ...process.env, KEYFOB_DATA_DIR: dataDir, DATABASE_URL: `file:${join(dataDir, 'keyfob.db')}` },
    });
    expect(stdout).toMatch(/to dora@example\.com: Reset your Keyfob password/);
    const token = /reset-password#token=([a-z2-7]+)/.exec(stdout)![1]!;
    const done = await k.call(`${V}/passwordReset/complete`, {
      method: 'POST',
      json: { token, newPassword1: 'dora-Password-2', newPassword2: 'dora-Password-2' },
    });
    expect(done.status).toBe(200);
  });
});
