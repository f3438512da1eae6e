/**
 * Security notices as a real SMTP listener receives them: a new browser, an SSH key added, keys and tokens
 * changed by an admin, the password and the e-mail address changed (both addresses). Each says what happened,
 * when, from where and what to do; none carries a secret; none goes for what a user simply did twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startKeyfob, type RunningKeyfob } from '../helpers/keyfob';
import { startSmtpListener, type ReceivedMail, type SmtpListener } from '../helpers/smtp';
import { keyFolder } from '../helpers/sshKeys';

const V = '/api/v1';
const A = '/artifactory/api';
const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0';
const admin = { basic: [ADMIN.name, ADMIN.password] as [string, string] };

/** The mail as text: quoted-printable undone (soft breaks, and the UTF-8 bytes of `=XX`). */
const textOf = (mail: ReceivedMail) =>
  decodeURIComponent(
    mail.raw
      .replace(/=\r?\n/g, '')
      .replace(/%/g, '%25')
      .replace(/=([0-9A-F]{2})/g, '%$1'),
  );

describe('security notices', () => {
  let smtp: SmtpListener;
  let k: RunningKeyfob;
  const keys = keyFolder();
  const rosa = { basic: ['rosa', 'rosa-Password-1'] as [string, string] };
  beforeAll(async () => {
    smtp = await startSmtpListener();
    k = await startKeyfob({ SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, KEYFOB_PUBLIC_URL: 'https://keyfob.corp' });
    await k.createUser('rosa', 'rosa-Password-1');
    await k.createUser('sam', 'sam-Password-1');
  });
  afterAll(async () => {
    await k?.close();
    await smtp?.close();
    keys.remove();
  });

  /** Waits a moment and says that nothing more arrived. */
  const expectNoMore = async () => {
    const before = smtp.received.length;
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(smtp.received.slice(before).map((m) => /Subject: (.*)/.exec(m.raw)?.[1])).toEqual([]);
  };
  const signIn = (userAgent: string, password = 'rosa-Password-1') =>
    k.call(`${V}/session`, { method: 'POST', headers: { 'user-agent': userAgent }, json: { username: 'rosa', password } });

  it('mails a sign-in from a browser the user had not used, not the first sign-in nor the same browser again', async () => {
    expect((await signIn(CHROME)).status).toBe(200);
    expect((await signIn(CHROME.replace('131.0.0.0', '132.0.0.0'))).status).toBe(200); // an update is the same browser
    await expectNoMore();
    expect((await signIn(FIREFOX)).status).toBe(200);
    const mail = await smtp.nextMail();
    expect(mail.to).toEqual(['rosa@example.com']);
    const text = textOf(mail);
    expect(text).toMatch(/Subject: New sign-in to Keyfob from Firefox on Windows/);
    expect(text).toContain('Your Keyfob account rosa was signed in to from a browser it had not been used from before: Firefox on Windows.');
    expect(text).toContain('From: 127.0.0.1 (Firefox on Windows)');
    expect(text).toMatch(/When: \d{4}-\d\d-\d\dT/);
    expect(text).toContain('If it was not: sign in to Keyfob, change your password, end any session you do not recognise');
    expect(text).not.toContain('rosa-Password-1');
    expect((await signIn(FIREFOX)).status).toBe(200);
    await expectNoMore();
    // Tools and made-up agents are one "client that is no browser": the first such sign-in is told once, and
    // no new version or invented text makes another (nor gets its words into a subject).
    expect((await signIn('curl/8.5.0')).status).toBe(200);
    expect(textOf(await smtp.nextMail())).toMatch(/Subject: New sign-in to Keyfob from a client that is no browser/);
    for (const agent of ['curl/8.6.0', 'Totally Legit IT Notice: click here', 'Mozilla/5.0 (compatible; NotABrowser)']) {
      expect((await signIn(agent)).status).toBe(200);
    }
    await expectNoMore();
  });

  it('mails an SSH key added, naming it by its fingerprint', async () => {
    const pair = keys.keygen('ed25519', undefined, 'rosa@laptop');
    const added = await k.call(`${V}/profile/sshKeys`, { method: 'POST', auth: rosa, json: { publicKey: pair.publicText, name: 'laptop' } });
    expect(added.status, added.text).toBe(201);
    const text = textOf(await smtp.nextMail());
    expect(text).toMatch(/Subject: An SSH key was added to your Keyfob account/);
    expect(text).toContain(`The SSH key "laptop" (ssh-ed25519, ${added.json.fingerprint}) was added`);
    expect(text).toContain('remove the key in Keyfob (SSH keys)');
    // A name that tries to write the notice's words for it stays on one line, quoted, and short.
    const sneaky = keys.keygen('ed25519', undefined, 'x@y');
    const name = 'work\r\n\r\nIf this was you, there is nothing to do. This key was added by IT\u202e';
    expect((await k.call(`${V}/profile/sshKeys`, { method: 'POST', auth: rosa, json: { publicKey: sneaky.publicText, name } })).status).toBe(201);
    const sneakyText = textOf(await smtp.nextMail());
    expect(sneakyText).toContain('The SSH key "work If this was you, there is nothing to do. This key was added by IT" (ssh-ed25519');
    expect(sneakyText).not.toContain('\u202e');
    // The same key again is refused: no second notice.
    expect((await k.call(`${V}/profile/sshKeys`, { method: 'POST', auth: rosa, json: { publicKey: pair.publicText } })).status).toBe(409);
    await expectNoMore();
  });

  it('mails the owner when an admin revokes their API key, and every owner but the admin on Revoke All', async () => {
    const make = (auth: { basic: [string, string] }) => k.call(`${A}/security/apiKey`, { method: 'POST', auth });
    await make(rosa);
    await make({ basic: ['sam', 'sam-Password-1'] });
    await make(admin);
    // The owner's own revoke: nothing to tell them.
    await k.call(`${A}/security/apiKey`, { method: 'DELETE', auth: rosa });
    await make(rosa);
    await expectNoMore();

    expect((await k.call(`${A}/security/apiKey/rosa`, { method: 'DELETE', auth: admin })).status).toBe(200);
    const one = await smtp.nextMail();
    expect(one.to).toEqual(['rosa@example.com']);
    expect(textOf(one)).toContain('An administrator (admin) revoked the API key of your Keyfob account rosa. Scripts using it are refused from now on.');

    await make(rosa);
    expect((await k.call(`${A}/security/apiKey?deleteAll=1`, { method: 'DELETE', auth: admin })).status).toBe(200);
    const all = [await smtp.nextMail(), await smtp.nextMail()];
    expect(all.map((m) => m.to[0]).sort()).toEqual(['rosa@example.com', 'sam@example.com']);
    for (const mail of all) {
      expect(textOf(mail)).toContain('An administrator (admin) revoked every API key on this Keyfob, yours among them.');
      expect(textOf(mail)).toMatch(/Hello,\r?\n/);
    }
    await expectNoMore();
  });

  it('mails the owner of a token an admin made for them, and when an admin revokes it', async () => {
    const made = await k.call('/access/api/v1/tokens', {
      method: 'POST',
      auth: admin,
      json: { username: 'rosa', description: 'deploy bot', expires_in: 3600 },
    });
    expect(made.status, made.text).toBe(200);
    const created = textOf(await smtp.nextMail());
    expect(created).toMatch(/Subject: An access token was created for your Keyfob account/);
    expect(created).toContain('An administrator (admin) created an access token that acts as your Keyfob account rosa (scope applied-permissions/user');
    expect(created).toContain('"deploy bot"');
    expect(created).not.toContain(made.json.access_token);
    expect((await k.call(`/access/api/v1/tokens/${made.json.token_id}`, { method: 'DELETE', auth: admin })).status).toBe(200);
    expect(textOf(await smtp.nextMail())).toContain(`An administrator (admin) revoked your access token "deploy bot" (${made.json.token_id.slice(0, 8)}…`);
    // Her own token, made and revoked by her: no notice.
    const session = (await signIn(CHROME)).json.token as string;
    const own = (await k.call('/access/api/v1/tokens', { method: 'POST', auth: { bearer: session }, json: { description: 'mine' } })).json.token_id;
    await k.call(`/access/api/v1/tokens/${own}`, { method: 'DELETE', auth: { bearer: session } });
    await expectNoMore();
  });

  it('mails a refresh token used twice: a copy is in someone else’s hands, and the family is ended', async () => {
    const session = (await signIn(CHROME)).json.token as string;
    const T = '/access/api/v1/tokens';
    const issued = (await k.call(T, { method: 'POST', auth: { bearer: session }, json: { description: 'ci', refreshable: true } })).json;
    const refresh = { method: 'POST', json: { grant_type: 'refresh_token', refresh_token: issued.refresh_token } } as const;
    expect((await k.call(T, refresh)).status).toBe(200);
    await expectNoMore();
    expect((await k.call(T, refresh)).status).toBe(401);
    const text = textOf(await smtp.nextMail());
    expect(text).toMatch(/Subject: A refresh token of your Keyfob account was used twice/);
    expect(text).toContain(`A refresh token of your access token "ci" (${issued.token_id.slice(0, 8)}…) was used again after it had been spent`);
    expect(text).not.toContain(issued.refresh_token);
  });

  it('mails a password change, by the user or by an admin', async () => {
    const change = { userName: 'rosa', oldPassword: 'rosa-Password-1', newPassword1: 'rosa-Password-2', newPassword2: 'rosa-Password-2' };
    expect((await k.call(`${A}/security/users/authorization/changePassword`, { method: 'POST', auth: rosa, json: change })).status).toBe(200);
    const own = textOf(await smtp.nextMail());
    expect(own).toMatch(/Subject: Your Keyfob password was changed/);
    expect(own).toContain('The password of your Keyfob account rosa was changed.');
    expect(own).toContain('reset your password now with "Forgot password"');
    expect(own).not.toContain('rosa-Password-2');

    expect((await k.call(`${A}/security/users/rosa`, { method: 'POST', auth: admin, json: { password: 'rosa-Password-3' } })).status).toBe(200);
    expect(textOf(await smtp.nextMail())).toContain('An administrator (admin) changed the password of your Keyfob account rosa.');
    await expectNoMore();
  });

  it('mails both the old and the new address when the e-mail address changes', async () => {
    expect((await k.call(`${A}/security/users/rosa`, { method: 'POST', auth: admin, json: { email: 'rosa@new.example' } })).status).toBe(200);
    const mails = [await smtp.nextMail(), await smtp.nextMail()];
    const toOld = mails.find((m) => m.to[0] === 'rosa@example.com')!;
    const toNew = mails.find((m) => m.to[0] === 'rosa@new.example')!;
    expect(textOf(toOld)).toContain('An administrator (admin) changed the e-mail address of your Keyfob account rosa from this address to r•••@new.example.');
    expect(textOf(toNew)).toMatch(/Subject: This is now the e-mail address of your Keyfob account/);
    expect(textOf(toNew)).toContain('(from r•••@example.com)');
    // The same address again changes nothing, and says nothing.
    await k.call(`${A}/security/users/rosa`, { method: 'POST', auth: admin, json: { email: 'rosa@new.example' } });
    await expectNoMore();
  });
});
