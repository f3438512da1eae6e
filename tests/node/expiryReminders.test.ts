/**
 * Expiry reminders as a real SMTP listener receives them: for access tokens and for passwords under the
 * expiration policy, 30, 7 and 1 day ahead, each once however many housekeeping passes run (every 200 ms
 * here: each wait below spans several); none for a revoked token, none to a user who turned them off.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startKeyfob, type RunningKeyfob } from '../helpers/keyfob';
import { startSmtpListener, type ReceivedMail, type SmtpListener } from '../helpers/smtp';

const DAY = 24 * 60 * 60_000;
const T = '/access/api/v1/tokens';
const admin = { basic: [ADMIN.name, ADMIN.password] as [string, string] };
const tia = { basic: ['tia', 'tia-Password-1'] as [string, string] };
const uma = { basic: ['uma', 'uma-Password-1'] as [string, string] };

const textOf = (mail: ReceivedMail) => mail.raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
const subjectOf = (mail: ReceivedMail) => /^Subject: (.*)$/m.exec(textOf(mail))?.[1];
/** Long enough for several housekeeping passes and the outbox to deliver what they queued. */
const passes = () => new Promise((resolve) => setTimeout(resolve, 1_200));

describe('expiry reminders', () => {
  let smtp: SmtpListener;
  let k: RunningKeyfob;
  beforeAll(async () => {
    smtp = await startSmtpListener();
    k = await startKeyfob({ SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, KEYFOB_HOUSEKEEPING_INTERVAL_MS: '200', KEYFOB_PUBLIC_URL: 'https://keyfob.corp' });
    await k.createUser('tia', 'tia-Password-1');
    await k.createUser('uma', 'uma-Password-1');
  });
  afterAll(async () => {
    await k?.close();
    await smtp?.close();
  });

  const tokenMails = (id: string) =>
    smtp.received.filter((mail) => subjectOf(mail) === 'Your Keyfob access token expires soon' && textOf(mail).includes(id.slice(0, 8)));
  const passwordMails = (to: string) => smtp.received.filter((mail) => subjectOf(mail) === 'Your Keyfob password expires soon' && mail.to.includes(to));
  async function waitForMails(what: string, count: () => number, expected: number) {
    const deadline = Date.now() + 15_000;
    while (count() < expected) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // Then more passes: none of them may send it again.
    await passes();
    expect(count(), what).toBe(expected);
  }

  it('mails 30, 7 and 1 day ahead, once each; a revoked token and a user who opted out hear nothing', async () => {
    const policy = { enabled: true, passwordMaxAge: 40, notifyByEmail: true };
    expect((await k.call('/artifactory/api/security/configuration/passwordExpirationPolicy', { method: 'PUT', auth: admin, json: policy })).status).toBe(200);
    // The passwords were set just now (on the server's frozen clock): they expire with the 40-day tokens made now.
    const expiresAt = new Date(k.now() + 40 * DAY).toISOString();
    const create = async (auth: typeof tia, json: Record<string, unknown>) => {
      const reply = await k.call(T, { method: 'POST', auth, json: { expires_in: 40 * 24 * 60 * 60, ...json } });
      expect(reply.status).toBe(200);
      return reply.json as { token_id: string; access_token: string; reference_token?: string; refresh_token?: string };
    };
    const deploy = await create(tia, { description: 'deploy from CI', refreshable: true, include_reference_token: true });
    const doomed = await create(tia, { description: 'to be revoked' });
    const quiet = await create(uma, { description: 'opted out' });
    // Any credential of the user may turn the reminders off: here the token itself.
    const optOut = await k.call('/api/v1/profile/notifications', { method: 'PUT', auth: { bearer: quiet.access_token }, json: { informational: false } });
    expect(optOut.status).toBe(200);
    expect(optOut.json.notifyInformational).toBe(false);

    await k.advance(9 * DAY + 60_000); // 31 days left: nothing yet
    await passes();
    expect(smtp.received).toEqual([]);

    await k.advance(DAY); // 30 days left
    await waitForMails('the 30-day token reminder', () => tokenMails(deploy.token_id).length, 1);
    await waitForMails('the 30-day reminder of the other token', () => tokenMails(doomed.token_id).length, 1);
    await waitForMails('the 30-day password reminder', () => passwordMails('tia@example.com').length, 1);

    const mail = textOf(tokenMails(deploy.token_id)[0]!);
    expect(tokenMails(deploy.token_id)[0]!.to).toEqual(['tia@example.com']);
    expect(mail).toContain(`Your Keyfob access token "deploy from CI" (${deploy.token_id.slice(0, 8)}) expires in 30 days, at ${expiresAt}`);
    expect(mail).toContain('Scope: applied-permissions/user');
    expect(mail).toContain('It can be refreshed');
    expect(mail).toContain('`jf atc`');
    expect(mail).toContain('https://keyfob.corp');
    for (const secret of [deploy.access_token, deploy.reference_token!, deploy.refresh_token!]) expect(mail).not.toContain(secret);
    expect(textOf(tokenMails(doomed.token_id)[0]!)).toContain('It cannot be refreshed.');
    expect(textOf(passwordMails('tia@example.com')[0]!)).toContain('Your Keyfob password expires in 30 days');

    expect((await k.call(`${T}/${doomed.token_id}`, { method: 'DELETE', auth: tia })).status).toBe(200);

    await k.advance(23 * DAY); // 7 days left
    await waitForMails('the 7-day token reminder', () => tokenMails(deploy.token_id).length, 2);
    await waitForMails('the 7-day password reminder', () => passwordMails('tia@example.com').length, 2);
    expect(textOf(tokenMails(deploy.token_id)[1]!)).toContain('expires in 7 days');

    await k.advance(6 * DAY); // 1 day left
    await waitForMails('the 1-day token reminder', () => tokenMails(deploy.token_id).length, 3);
    await waitForMails('the 1-day password reminder', () => passwordMails('tia@example.com').length, 3);
    expect(textOf(tokenMails(deploy.token_id)[2]!)).toContain('expires within a day');

    expect(tokenMails(doomed.token_id).length).toBe(1);
    expect(tokenMails(quiet.token_id)).toEqual([]);
    expect(passwordMails('uma@example.com')).toEqual([]);
    expect(smtp.received.length).toBe(7);
    const events = await k.sql(
      `select e.type, count(*) as n from audit_events e join users u on u.id = e.user_id where u.name = 'tia' and e.type like '%expiry-notice' group by e.type order by e.type`,
    );
    expect(events.map((row) => [row.type, Number(row.n)])).toEqual([
      ['password-expiry-notice', 3],
      ['token-expiry-notice', 4],
    ]);
  });

  it('reminds a short-lived token only when the reminder comes after it was made', async () => {
    // Two days: no 30-day or 7-day reminder (they would come before the token existed), only the 1-day one.
    const { token_id } = (await k.call(T, { method: 'POST', auth: tia, json: { expires_in: 2 * 24 * 60 * 60 } })).json;
    await passes();
    expect(tokenMails(token_id)).toEqual([]);
    await k.advance(DAY + 60_000);
    await waitForMails('the 1-day reminder of a 2-day token', () => tokenMails(token_id).length, 1);
    expect(textOf(tokenMails(token_id)[0]!)).toContain(`Your Keyfob access token ${token_id.slice(0, 8)} expires within a day`);
  });
});
