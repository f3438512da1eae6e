/** The mail a leak report sends, as a real SMTP listener receives it: what was found, where, and what to do; never the secret. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKeyfob, type RunningKeyfob } from '../helpers/keyfob';
import { startSmtpListener, type SmtpListener } from '../helpers/smtp';

describe('the mail about a leaked credential', () => {
  let smtp: SmtpListener;
  let k: RunningKeyfob;
  beforeAll(async () => {
    smtp = await startSmtpListener();
    k = await startKeyfob({
      SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      KEYFOB_LEAK_REPORT_UNSIGNED_FROM: '127.0.0.1',
      KEYFOB_PUBLIC_URL: 'https://keyfob.corp',
    });
    await k.createUser('erin', 'erin-Password-1');
  });
  afterAll(async () => {
    await k?.close();
    await smtp?.close();
  });

  it('names the credential by its mask, where it was found and who reported it, and says what to do', async () => {
    const apiKey = (await k.call('/artifactory/api/security/apiKey', { method: 'POST', auth: { basic: ['erin', 'erin-Password-1'] } })).json.apiKey as string;
    const url = 'https://github.com/acme/deploy/blob/0a1b2c/ci/publish.sh#L12';
    expect((await k.call('/api/v1/leakReports', { method: 'POST', json: [{ token: apiKey, url, source: 'GitHub secret scanning' }] })).status).toBe(200);
    const mail = await smtp.nextMail();
    expect(mail.to).toEqual(['erin@example.com']);
    const text = mail.raw.replace(/=\r?\n/g, '');
    expect(text).toMatch(/Subject: Your Keyfob credential was found in public and revoked/);
    expect(text).toContain(`Your Keyfob API key ${apiKey.slice(0, 4)}`);
    expect(text).toContain(apiKey.slice(-4));
    expect(text).toContain('(reported by GitHub secret scanning)');
    expect(text).toContain(url);
    expect(text).toContain('Keyfob revoked it at once');
    expect(text).toContain('make a new one at https://keyfob.corp');
    expect(text).not.toContain(apiKey);
    expect(text).not.toContain(apiKey.slice(4, -4));
  });
});
