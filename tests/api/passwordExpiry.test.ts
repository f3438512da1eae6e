/**
 * Password expiry: the expiration policy enforced (a password older than its maximum age is refused at
 * its next use, API keys go on), the notices housekeeping mails before that, and Artifactory's expire and
 * unexpire calls. The clock is the server's frozen one, moved by the test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startKeyfob, type RunningKeyfob } from '../helpers/keyfob';

const A = '/artifactory/api';
const POLICY = `${A}/security/configuration/passwordExpirationPolicy`;
const AUTHZ = `${A}/security/users/authorization`;
const VERSION = `${A}/system/version`;
const DAY = 24 * 60 * 60_000;
const admin = { basic: [ADMIN.name, ADMIN.password] as [string, string] };

async function waitUntil(what: string, check: () => Promise<boolean>, ms = 15_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('password expiration policy', () => {
  let k: RunningKeyfob;
  // The admin's own password ages with everyone's: the admin works with an API key, which expiry leaves be.
  let adminKey: { apiKey: string };
  beforeAll(async () => {
    k = await startKeyfob({ KEYFOB_HOUSEKEEPING_INTERVAL_MS: '200', KEYFOB_PUBLIC_URL: 'http://keyfob.example.test' });
    adminKey = { apiKey: (await k.call(`${A}/security/apiKey`, { method: 'POST', auth: admin })).json.apiKey };
  });
  afterAll(() => k.close());
  const createUser = async (name: string) => {
    const reply = await k.call(`${A}/security/users/${name}`, {
      method: 'PUT',
      auth: adminKey,
      json: { email: `${name}@example.com`, password: `${name}-Password-1` },
    });
    expect(reply.status).toBe(201);
  };
  const mailsTo = async (address: string) =>
    (await k.sql('select subject from outbox where recipient = ? order by id', [address])).map((row) => row.subject as string);
  const housekeeping = async () => {
    if (k.runtime === 'workerd') expect((await k.call('/cdn-cgi/handler/scheduled?cron=*/10+*+*+*+*')).status).toBe(200);
  };
  const setPolicy = (policy: object) => k.call(POLICY, { method: 'PUT', auth: adminKey, json: policy });

  it('has Artifactory’s defaults, is admin-only, and keeps what a PUT leaves out', async () => {
    expect((await k.call(POLICY, { auth: adminKey })).json).toEqual({ enabled: false, passwordMaxAge: 60, notifyByEmail: true });
    await createUser('olga');
    expect((await k.call(POLICY, { auth: { basic: ['olga', 'olga-Password-1'] } })).status).toBe(403);
    expect((await k.call(POLICY, { method: 'PUT', auth: { basic: ['olga', 'olga-Password-1'] }, json: { enabled: true } })).status).toBe(403);
    expect((await setPolicy({ passwordMaxAge: 45 })).json).toEqual({ enabled: false, passwordMaxAge: 45, notifyByEmail: true });
    for (const bad of [{ passwordMaxAge: 1000 }, { passwordMaxAge: -1 }, { passwordMaxAge: 1.5 }, { enabled: 'yes' }, { notifyByEmail: 1 }]) {
      expect((await setPolicy(bad)).status).toBe(400);
    }
    expect((await k.call(POLICY, { method: 'PUT', auth: adminKey, body: '[]', headers: { 'content-type': 'application/json' } })).status).toBe(400);
  });

  it('expires a password at its first use past the maximum age: password, AP1 and sessions refused, the API key not', async () => {
    await createUser('pete');
    const pete = { basic: ['pete', 'pete-Password-1'] as [string, string] };
    const ap1 = (await k.call(`${A}/security/encryptedPassword`, { auth: pete })).text;
    const apiKey = (await k.call(`${A}/security/apiKey`, { method: 'POST', auth: pete })).json.apiKey;
    expect((await setPolicy({ enabled: true, passwordMaxAge: 30, notifyByEmail: false })).status).toBe(200);

    await k.advance(30 * DAY - 60_000);
    expect((await k.call(VERSION, { auth: pete })).status).toBe(200);
    // A session started on the last day: it too ends with the password (not with its own idle time).
    const session = (await k.call('/api/v1/session', { method: 'POST', json: { username: 'pete', password: 'pete-Password-1' } })).json.token;
    await k.advance(60_000);
    for (const auth of [pete, { basic: ['pete', ap1] as [string, string] }, { bearer: session }]) {
      const refused = await k.call(VERSION, { auth });
      expect(refused.status).toBe(403);
      expect(refused.json.errors[0].code).toBe('PASSWORD_EXPIRED');
    }
    expect((await k.call('/api/v1/session', { method: 'POST', json: { username: 'pete', password: 'pete-Password-1' } })).json.errors[0].code).toBe(
      'PASSWORD_EXPIRED',
    );
    expect((await k.call(VERSION, { auth: { apiKey } })).status).toBe(200);
    expect((await k.call(`${A}/security/users/pete`, { auth: adminKey })).json.passwordExpired).toBe(true);

    // Changing it is what stays open, and starts its age again.
    const change = { userName: 'pete', oldPassword: 'pete-Password-1', newPassword1: 'pete-Password-2', newPassword2: 'pete-Password-2' };
    expect((await k.call(`${AUTHZ}/changePassword`, { method: 'POST', auth: pete, json: change })).status).toBe(200);
    expect((await k.call(VERSION, { auth: { basic: ['pete', 'pete-Password-2'] } })).status).toBe(200);
    expect((await k.call(`${A}/security/users/pete`, { auth: adminKey })).json.passwordExpired).toBe(false);

    // Switched off, the policy expires nobody: the age alone is no flag.
    await k.advance(31 * DAY);
    expect((await k.call(VERSION, { auth: { basic: ['pete', 'pete-Password-2'] } })).status).toBe(403);
    await setPolicy({ enabled: false });
    expect((await k.call(VERSION, { auth: { basic: ['pete', 'pete-Password-2'] } })).status).toBe(200);
  });

  it('mails the owner 7 days and 1 day before, once each, through housekeeping; a new password starts over', async () => {
    await setPolicy({ enabled: true, passwordMaxAge: 30, notifyByEmail: true });
    await createUser('nia');
    // Other users' older passwords may have notices of their own going out meanwhile: only nia's are counted.
    await k.advance(22 * DAY);
    await housekeeping();
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(await mailsTo('nia@example.com')).toEqual([]);

    await k.advance(DAY + 60_000); // 23 days: the 7-day notice is due
    await housekeeping();
    await waitUntil('the 7-day notice is queued', async () => (await mailsTo('nia@example.com')).length === 1);
    await k.advance(DAY);
    await housekeeping();
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect((await mailsTo('nia@example.com')).length).toBe(1);

    await k.advance(5 * DAY); // 29 days: the 1-day notice
    await housekeeping();
    await waitUntil('the 1-day notice is queued', async () => (await mailsTo('nia@example.com')).length === 2);
    expect(await mailsTo('nia@example.com')).toEqual(['Your Keyfob password expires soon', 'Your Keyfob password expires soon']);
    const notices = await k.sql(
      `select count(*) as n from audit_events e join users u on u.id = e.user_id where u.name = 'nia' and e.type = 'password-expiry-notice'`,
    );
    expect(Number(notices[0]!.n)).toBe(2);

    // Past expiry, and after a change: the new password's notices come in their turn, not at once.
    await k.advance(2 * DAY);
    const change = { userName: 'nia', oldPassword: 'nia-Password-1', newPassword1: 'nia-Password-2', newPassword2: 'nia-Password-2' };
    expect((await k.call(`${AUTHZ}/changePassword`, { method: 'POST', auth: { basic: ['nia', 'nia-Password-1'] }, json: change })).status).toBe(200);
    await housekeeping();
    await new Promise((resolve) => setTimeout(resolve, 600));
    // Only the security notice of the change itself.
    expect((await mailsTo('nia@example.com')).slice(2)).toEqual(['Your Keyfob password was changed']);
    await k.advance(23 * DAY + 60_000);
    await housekeeping();
    await waitUntil('the new password’s 7-day notice is queued', async () => (await mailsTo('nia@example.com')).length === 4);
    await setPolicy({ enabled: false });
  });
});

describe("Artifactory's expire and unexpire calls", () => {
  let k: RunningKeyfob;
  beforeAll(async () => {
    k = await startKeyfob();
    for (const name of ['ann', 'ben', 'cy']) await k.createUser(name, `${name}-Password-1`);
    await k.createUser('dir', 'x', { realm: 'ldap', password: undefined });
  });
  afterAll(() => k.close());
  const works = async (name: string) => (await k.call(VERSION, { auth: { basic: [name, `${name}-Password-1`] } })).status === 200;

  it('expires a list of names (unknown ones passed over), unexpires one, expires and unexpires everyone', async () => {
    const listed = await k.call(`${AUTHZ}/expirePassword`, { method: 'POST', auth: admin, json: ['ann', 'BEN', 'nobody'] });
    expect(listed.status).toBe(200);
    expect(listed.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await works('ann')).toBe(false);
    expect(await works('ben')).toBe(false);
    expect(await works('cy')).toBe(true);

    const one = await k.call(`${AUTHZ}/unexpirePassword/ann`, { method: 'POST', auth: admin });
    expect(one.status).toBe(200);
    expect(await works('ann')).toBe(true);
    expect((await k.call(`${AUTHZ}/unexpirePassword/nobody`, { method: 'POST', auth: admin })).status).toBe(404);
    // A directory's user has no Keyfob password to expire (it could never be renewed here).
    expect((await k.call(`${AUTHZ}/expirePassword/dir`, { method: 'POST', auth: admin })).status).toBe(400);

    // Everyone's, the admin's own included: the admin's API key keeps working to undo it.
    const adminKey = (await k.call(`${A}/security/apiKey`, { method: 'POST', auth: admin })).json.apiKey;
    expect((await k.call(`${AUTHZ}/expirePasswordForAllUsers`, { method: 'POST', auth: admin })).status).toBe(200);
    for (const name of ['ann', 'ben', 'cy']) expect(await works(name)).toBe(false);
    expect((await k.call(VERSION, { auth: admin })).json.errors[0].code).toBe('PASSWORD_EXPIRED');
    expect((await k.call(`${AUTHZ}/unexpirePasswordForAllUsers`, { method: 'POST', auth: { apiKey: adminKey } })).status).toBe(200);
    for (const name of ['ann', 'ben', 'cy']) expect(await works(name)).toBe(true);
    expect((await k.call(VERSION, { auth: admin })).status).toBe(200);
  });

  it('is for admins, and bodies that are not a list of names get 400', async () => {
    const ann = { basic: ['ann', 'ann-Password-1'] as [string, string] };
    for (const path of ['expirePassword/ben', 'unexpirePassword/ben', 'expirePasswordForAllUsers', 'unexpirePasswordForAllUsers']) {
      expect((await k.call(`${AUTHZ}/${path}`, { method: 'POST', auth: ann })).status).toBe(403);
    }
    expect((await k.call(`${AUTHZ}/expirePassword`, { method: 'POST', auth: ann, json: ['ben'] })).status).toBe(403);
    for (const body of [{ names: ['ben'] }, 'ben', [1, 2], null]) {
      expect((await k.call(`${AUTHZ}/expirePassword`, { method: 'POST', auth: admin, json: body })).status).toBe(400);
    }
    expect(await works('ben')).toBe(true);
  });
});
