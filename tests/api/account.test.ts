/** Password changes, expiry, the reset request's answers, rate limits and recent activity, over HTTP. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startKeyfob, type RunningKeyfob } from '../helpers/keyfob';

const admin = { basic: [ADMIN.name, ADMIN.password] as [string, string] };
const V = '/api/v1';

async function signIn(k: RunningKeyfob, username: string, password: string) {
  const reply = await k.call(`${V}/session`, { method: 'POST', json: { username, password } });
  return { reply, bearer: { bearer: reply.json?.token as string } };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

describe('password and email settings', () => {
  let k: RunningKeyfob;
  beforeAll(async () => {
    k = await startKeyfob();
    await k.createUser('dana', 'dana-Password-1');
    await k.createUser('lena', 'lena-Password-1', { realm: 'ldap' });
    await k.createUser('omar', 'omar-Password-1');
  });
  afterAll(() => k.close());

  it('publishes the policy it enforces', async () => {
    expect((await k.call(`${V}/passwordPolicy`)).json).toEqual({ minLength: 8, minClasses: 2 });
  });

  it('refuses a retype mismatch, a short or one-class password, the user name and the old password', async () => {
    const { bearer } = await signIn(k, 'dana', 'dana-Password-1');
    const change = (newPassword1: string, newPassword2 = newPassword1, oldPassword = 'dana-Password-1') =>
      k.call(`${V}/profile/password`, { method: 'POST', auth: bearer, json: { oldPassword, newPassword1, newPassword2 } });
    const cases: [Promise<{ status: number; json: any }>, RegExp][] = [
      [change('dana-Password-2', 'dana-Password-3'), /do not match/],
      [change('Dp-1'), /at least 8 characters/],
      [change('onlylowercaseletters'), /mix at least 2/],
      [change('dana-Password-1'), /differ from the old one/],
      [change('dana-Password-2', 'dana-Password-2', 'wrong-Password-0'), /old password is incorrect/],
    ];
    for (const [reply, message] of cases) {
      const r = await reply;
      expect(r.status).toBeGreaterThanOrEqual(400);
      expect(r.json.errors[0].message).toMatch(message);
    }
    await k.createUser('Mixed.Case1', 'mixed-Password-1');
    const named = await k.call('/artifactory/api/security/users/authorization/changePassword', {
      method: 'POST',
      auth: { basic: ['Mixed.Case1', 'mixed-Password-1'] },
      json: { userName: 'Mixed.Case1', oldPassword: 'mixed-Password-1', newPassword1: 'mixed.case1', newPassword2: 'mixed.case1' },
    });
    expect(named.json.errors[0].message).toMatch(/not be the user name/);
  });

  it('changes it: keeps the API key and this session, ends the others, kills the old encrypted password', async () => {
    await k.advance(61_000); // past the delay the wrong old password above earned
    const here = await signIn(k, 'dana', 'dana-Password-1');
    const elsewhere = await signIn(k, 'dana', 'dana-Password-1');
    const apiKey = (await k.call('/artifactory/api/security/apiKey', { method: 'POST', auth: { basic: ['dana', 'dana-Password-1'] } })).json.apiKey;
    const oldEncrypted = (await k.call('/artifactory/api/security/encryptedPassword', { auth: { basic: ['dana', 'dana-Password-1'] } })).text;

    const changed = await k.call(`${V}/profile/password`, {
      method: 'POST',
      auth: here.bearer,
      json: { oldPassword: 'dana-Password-1', newPassword1: 'dana-Password-2', newPassword2: 'dana-Password-2' },
    });
    expect(changed.status).toBe(200);
    expect((await k.call(`${V}/profile`, { auth: here.bearer })).status).toBe(200);
    expect((await k.call(`${V}/profile`, { auth: elsewhere.bearer })).json.errors[0].code).toBe('SESSION_EXPIRED');
    expect((await k.call('/artifactory/api/system/version', { auth: { apiKey } })).status).toBe(200);
    expect((await k.call('/artifactory/api/system/version', { auth: { basic: ['dana', oldEncrypted] } })).status).toBe(401);
    await k.advance(61_000);
    expect((await k.call('/artifactory/api/system/version', { auth: { basic: ['dana', 'dana-Password-1'] } })).status).toBe(401);
    await k.advance(61_000);
    expect((await signIn(k, 'dana', 'dana-Password-2')).reply.status).toBe(200);
  });

  it('refuses external-realm users with 403 and says why; their profile says they cannot', async () => {
    // The directory answers for an ldap user: a Keyfob password left from before is not a way in.
    const lena = { basic: ['lena', 'lena-Password-1'] as [string, string] };
    expect((await k.call(`${V}/profile`, { auth: lena })).status).toBe(401);
    const reply = await k.call(`${V}/profile/password`, {
      method: 'POST',
      auth: lena,
      json: { oldPassword: 'lena-Password-1', newPassword1: 'lena-Password-2', newPassword2: 'lena-Password-2' },
    });
    expect(reply.status).toBe(401);
    // An admin's flag for keys without unlock, and a key: the profile says the password is not Keyfob's to change.
    await k.call('/artifactory/api/security/users/lena', { method: 'POST', auth: admin, json: { realm: 'internal' } });
    await k.advance(4_000); // past the delay those two refusals earned
    const key = (await k.call('/artifactory/api/security/apiKey', { method: 'POST', auth: lena })).json.apiKey as string;
    await k.call('/artifactory/api/security/users/lena', { method: 'POST', auth: admin, json: { realm: 'ldap' } });
    expect((await k.call(`${V}/profile`, { auth: { apiKey: key } })).json.canChangePassword).toBe(false);
    const byKey = await k.call(`${V}/profile/password`, {
      method: 'POST',
      auth: { apiKey: key },
      json: { oldPassword: 'lena-Password-1', newPassword1: 'lena-Password-2', newPassword2: 'lena-Password-2' },
    });
    expect(byKey.status).toBe(403);
    expect(byKey.json.errors[0]).toMatchObject({ code: 'EXTERNAL_REALM', message: expect.stringMatching(/ldap realm .* cannot change their password/) });
    await k.advance(4_000);
  });

  it('validates and changes the email after unlock', async () => {
    const { bearer } = await signIn(k, 'omar', 'omar-Password-1');
    expect((await k.call(`${V}/profile`, { method: 'PATCH', auth: bearer, json: { email: 'not-an-email' } })).status).toBe(400);
    expect((await k.call(`${V}/profile`, { method: 'PATCH', auth: bearer, json: {} })).status).toBe(400);
    const changed = await k.call(`${V}/profile`, { method: 'PATCH', auth: bearer, json: { email: 'omar@new.example' } });
    expect(changed.json.email).toBe('omar@new.example');
    await k.call(`${V}/session/lock`, { method: 'POST', auth: bearer });
    expect((await k.call(`${V}/profile`, { method: 'PATCH', auth: bearer, json: { email: 'o@x.example' } })).json.errors[0].code).toBe('UNLOCK_REQUIRED');
  });

  it('makes an expired password be changed at the next sign-in before anything else', async () => {
    await k.createUser('erin', 'erin-Password-1');
    expect((await k.call('/artifactory/api/security/users/authorization/expirePassword/erin', { method: 'POST', auth: admin })).status).toBe(200);
    const refused = await signIn(k, 'erin', 'erin-Password-1');
    expect(refused.reply.status).toBe(403);
    expect(refused.reply.json.errors[0].code).toBe('PASSWORD_EXPIRED');
    expect((await k.call('/artifactory/api/system/version', { auth: { basic: ['erin', 'erin-Password-1'] } })).json.errors[0].code).toBe('PASSWORD_EXPIRED');

    const change = (json: object) => k.call(`${V}/session/password`, { method: 'POST', json: { username: 'erin', ...json } });
    expect((await change({ oldPassword: 'wrong-Password-1', newPassword1: 'erin-Password-2', newPassword2: 'erin-Password-2' })).status).toBe(401);
    await k.advance(2_000); // past the failed attempt's delay
    expect((await change({ oldPassword: 'erin-Password-1', newPassword1: 'erin-Password-2', newPassword2: 'nope' })).status).toBe(400);
    const done = await change({ oldPassword: 'erin-Password-1', newPassword1: 'erin-Password-2', newPassword2: 'erin-Password-2' });
    expect(done.status).toBe(200);
    expect((await k.call(`${V}/profile`, { auth: { bearer: done.json.token } })).status).toBe(200);
    expect((await signIn(k, 'erin', 'erin-Password-2')).reply.status).toBe(200);
  });

  it('shows the last ten security events, newest first, with address and agent and no secret', async () => {
    await k.createUser('ivy', 'ivy-Password-1');
    await signIn(k, 'ivy', 'wrong-Password-9');
    await k.advance(2_000);
    const { bearer } = await signIn(k, 'ivy', 'ivy-Password-1');
    await k.call(`${V}/profile/apiKey`, { method: 'POST', auth: bearer });
    await k.call(`${V}/profile/apiKey`, { method: 'PUT', auth: bearer });
    await k.call(`${V}/profile/password`, {
      method: 'POST',
      auth: bearer,
      json: { oldPassword: 'ivy-Password-1', newPassword1: 'ivy-Password-2', newPassword2: 'ivy-Password-2' },
    });
    await k.call(`${V}/profile`, { method: 'PATCH', auth: bearer, json: { email: 'ivy@new.example' } });
    const activity = await k.call(`${V}/profile/activity`, { auth: bearer, headers: {} });
    expect(activity.status).toBe(200);
    const types = activity.json.events.map((e: { type: string }) => e.type);
    expect(types.slice(0, 6)).toEqual(['email-changed', 'password-changed', 'api-key-regenerated', 'api-key-created', 'sign-in', 'sign-in-failed']);
    expect(activity.json.events[0]).toMatchObject({ clientAddress: expect.any(String), at: expect.any(String) });
    expect(activity.json.events[0].userAgent).toBeTruthy();
    for (const secret of ['ivy-Password-1', 'ivy-Password-2', 'wrong-Password-9', 'AKCp']) expect(activity.text).not.toContain(secret);
    for (let i = 0; i < 12; i++) await k.call(`${V}/session/unlock`, { method: 'POST', auth: bearer, json: { password: 'ivy-Password-2' } });
    expect((await k.call(`${V}/profile/activity`, { auth: bearer })).json.events).toHaveLength(10);

    const byAdmin = await k.call(`${V}/users/ivy/activity?limit=30`, { auth: admin });
    expect(byAdmin.json.events.length).toBeGreaterThan(10);
    expect((await k.call(`${V}/users/ivy/activity`, { auth: { basic: ['omar', 'omar-Password-1'] } })).status).toBe(403);
    expect((await k.call(`${V}/users/nobody/activity`, { auth: admin })).status).toBe(404);
  });
});

describe('forgot password: what a requester learns', () => {
  let k: RunningKeyfob;
  beforeAll(async () => {
    k = await startKeyfob();
    await k.createUser('alice', 'alice-Password-1');
  });
  afterAll(() => k.close());
  const request = (username: string) => k.call(`${V}/passwordReset`, { method: 'POST', json: { username } });

  it('answers the same, byte for byte, for a user who exists and one who does not', async () => {
    const known = await request('alice');
    const unknown = await request('nobody-at-all');
    expect(known.status).toBe(202);
    expect(unknown.status).toBe(known.status);
    expect(unknown.text).toBe(known.text);
    const headers = (h: Headers) => [...h.entries()].filter(([name]) => name !== 'date');
    expect(headers(unknown.headers)).toEqual(headers(known.headers));
  });

  it('takes the same time for both, over many tries', async () => {
    const times: Record<'known' | 'unknown', number[]> = { known: [], unknown: [] };
    for (let round = 0; round < 30; round++) {
      // A fresh rate-limit window every few requests: the limits are tested below.
      if (round % 4 === 0) await k.advance(16 * 60_000);
      for (const [kind, name] of [
        ['known', 'alice'],
        ['unknown', 'nobody-at-all'],
      ] as const) {
        const started = performance.now();
        const reply = await request(name);
        times[kind].push(performance.now() - started);
        expect(reply.status).toBe(202);
      }
    }
    const [known, unknown] = [median(times.known), median(times.unknown)];
    // The work happens after the answer: the medians differ by noise only (well under a millisecond here).
    expect(Math.abs(known - unknown)).toBeLessThan(Math.max(2, 0.5 * Math.min(known, unknown)));
  });

  it('limits requests per client address with 429 and Retry-After, in the error shape', async () => {
    await k.advance(16 * 60_000);
    for (let i = 0; i < 10; i++) expect((await request(`user${i}`)).status).toBe(202);
    const limited = await request('alice');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.json.errors[0]).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    await k.advance(16 * 60_000);
    expect((await request('alice')).status).toBe(202);
  });

  it('refuses bad input plainly', async () => {
    expect((await k.call(`${V}/passwordReset`, { method: 'POST', json: {} })).status).toBe(400);
    const badLink = await k.call(`${V}/passwordReset/complete`, {
      method: 'POST',
      json: { token: 'nope', newPassword1: 'x-Password-1', newPassword2: 'x-Password-1' },
    });
    expect(badLink.status).toBe(404);
    expect(badLink.json.errors[0].message).toMatch(/expired or was already used/);
  });
});

describe('sign-in answers and throttling per client address', () => {
  let k: RunningKeyfob;
  beforeAll(async () => {
    k = await startKeyfob();
    await k.createUser('paul', 'paul-Password-1');
  });
  afterAll(() => k.close());

  it('takes the same time for a wrong password of a known user and of an unknown one', async () => {
    const times: Record<'known' | 'unknown', number[]> = { known: [], unknown: [] };
    for (let round = 0; round < 12; round++) {
      await k.advance(61_000); // past any per-name delay
      for (const [kind, name] of [
        ['known', 'paul'],
        ['unknown', 'ghost'],
      ] as const) {
        const started = performance.now();
        const reply = await signIn(k, name, 'wrong-Password-0');
        times[kind].push(performance.now() - started);
        expect(reply.reply.status).toBe(401);
      }
    }
    const [known, unknown] = [median(times.known), median(times.unknown)];
    // Both pay one argon2 verification: the medians are within noise of each other.
    expect(Math.abs(known - unknown)).toBeLessThan(0.5 * Math.min(known, unknown));
  });

  it('paces an address after a hundred failures, whatever the name, without refusing a right password', async () => {
    await k.advance(16 * 60_000);
    for (let i = 0; i < 100; i++) {
      const reply = await signIn(k, `spray${i}`, 'wrong-Password-0');
      expect(reply.reply.status).toBe(401);
    }
    // Past the budget the address's checks take turns, one a second: the right password waits its turn.
    expect((await signIn(k, 'paul', 'paul-Password-1')).reply.status).toBe(200);
    // A flood is queued up to ten seconds; beyond that it is refused.
    const flood = await Promise.all(Array.from({ length: 14 }, (_, i) => signIn(k, `flood${i}`, 'wrong-Password-0')));
    const limited = flood.filter(({ reply }) => reply.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(1);
    expect(limited[0]!.reply.json.errors[0].code).toBe('RATE_LIMITED');
    expect(Number(limited[0]!.reply.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(flood.filter(({ reply }) => reply.status === 401).length).toBeGreaterThanOrEqual(9);
    await k.advance(16 * 60_000);
    expect((await signIn(k, 'paul', 'paul-Password-1')).reply.status).toBe(200);
  });
});
