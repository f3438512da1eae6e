import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { ADMIN, startKeyfob, type RunningKeyfob } from '../helpers/keyfob';

const VERSION = '/artifactory/api/system/version';
const POLICY = '/artifactory/api/security/userLockPolicy';
const admin = { basic: [ADMIN.name, ADMIN.password] as [string, string] };

/** Requests as if through the trusted proxy on 127.0.0.1, from client `address`. */
const from = (address: string) => ({ 'x-forwarded-for': address });

describe("Artifactory's lockout", () => {
  let k: RunningKeyfob;
  beforeAll(async () => {
    // The harness's requests come from 127.0.0.1: as the trusted proxy, it can speak for many clients.
    k = await startKeyfob({ KEYFOB_TRUSTED_PROXIES: '127.0.0.1' });
    for (const name of ['jo', 'kim', 'lee', 'max', 'ned', 'ola', 'pia', 'rex']) await k.createUser(name, `${name}-Password-1`);
  });
  afterAll(() => k.close());
  const attempt = (name: string, password: string, address = '192.0.2.1') => k.call(VERSION, { auth: { basic: [name, password] }, headers: from(address) });
  const failuresAudited = async (name: string) =>
    Number(
      (await k.sql(`select count(*) as n from audit_events e join users u on u.id = e.user_id where e.type = 'sign-in-failed' and u.name = ?`, [name]))[0]!.n,
    );

  it('lets the right password typed again at once in, waiting out the short delay rather than refusing', async () => {
    expect((await attempt('jo', 'wrong-password')).status).toBe(401);
    expect((await attempt('jo', 'jo-Password-1')).status).toBe(200);
    // Twice wrong, a second apart, then right: the two-second delay is waited out too.
    expect((await attempt('jo', 'wrong-password')).status).toBe(401);
    await k.advance(1000);
    expect((await attempt('jo', 'wrong-password')).status).toBe(401);
    expect((await attempt('jo', 'jo-Password-1')).status).toBe(200);
  });

  it('refuses with THROTTLED once the delay is long, doubling it up to 60 s', async () => {
    const waits: number[] = [];
    let delay = 1000;
    for (let failures = 1; failures <= 8; failures++) {
      expect((await attempt('kim', 'wrong-password')).status).toBe(401);
      if (failures >= 3) {
        const throttled = await attempt('kim', 'kim-Password-1'); // even the right password waits
        expect(throttled.status).toBe(403);
        expect(throttled.json.errors[0]).toMatchObject({ code: 'THROTTLED', message: expect.stringMatching(/try again in \d+ seconds/) });
        waits.push(Number(throttled.headers.get('retry-after')));
      }
      await k.advance(delay);
      delay = Math.min(delay * 2, 60_000);
    }
    expect(waits).toEqual([4, 8, 16, 32, 60, 60]);
    // Past the delay the right password works, and clears the count.
    expect((await attempt('kim', 'kim-Password-1')).status).toBe(200);
    // A password already verified against the current hash is not a guess: it is not delayed.
    expect((await attempt('kim', 'wrong-password')).status).toBe(401);
    expect((await attempt('kim', 'another-guess')).status).toBe(401);
    expect((await attempt('kim', 'kim-Password-1')).status).toBe(200);
  });

  it("never delays or refuses a user's right password for someone else's failures from another address", async () => {
    // A burst, then a guess a minute: the attacker's own address stays throttled…
    for (let i = 0; i < 6; i++) await attempt('lee', `guess-${i}`, '203.0.113.66');
    for (let minute = 0; minute < 3; minute++) {
      await k.advance(60_000);
      expect((await attempt('lee', 'guess-again', '203.0.113.66')).status).toBe(401);
      // …and the user, elsewhere, signs in at once every time.
      expect((await attempt('lee', 'lee-Password-1', '198.51.100.7')).status).toBe(200);
      expect(
        (await k.call('/api/v1/session', { method: 'POST', json: { username: 'lee', password: 'lee-Password-1' }, headers: from('198.51.100.8') })).status,
      ).toBe(200);
    }
  });

  it("lets a script's parallel requests with its right password all through", async () => {
    await k.advance(120_000);
    const replies = await Promise.all(Array.from({ length: 8 }, () => attempt('jo', 'jo-Password-1', '192.0.2.77')));
    expect(replies.map((r) => r.status)).toEqual(Array(8).fill(200));
  });

  it('gives concurrent guesses no more password checks than sequential ones', async () => {
    const replies = await Promise.all(Array.from({ length: 150 }, (_, i) => attempt('max', `guess-${i}`, '203.0.113.9')));
    const checked = await failuresAudited('max');
    // Sequentially, within the ~2 s a guess may wait: a guess, a 1 s delay, a guess, a 2 s delay.
    expect(checked).toBeGreaterThanOrEqual(1);
    expect(checked).toBeLessThanOrEqual(3);
    expect(replies.filter((r) => r.status === 401).length).toBe(checked);
    expect(replies.every((r) => r.status === 401 || r.json.errors[0].code === 'THROTTLED')).toBe(true);
  });

  it('gives concurrent guesses from many addresses no more checks than the lock policy allows', async () => {
    await k.call(POLICY, { method: 'PUT', auth: admin, json: { enabled: true, loginAttempts: 5 } });
    // Switched off again however this test ends: a policy left on would fail the tests after it.
    onTestFinished(async () => {
      await k.call(POLICY, { method: 'PUT', auth: admin, json: { enabled: false, loginAttempts: 5 } });
    });
    const replies = await Promise.all(Array.from({ length: 150 }, (_, i) => attempt('ned', `guess-${i}`, `198.18.${i >> 8}.${i & 255}`)));
    expect(await failuresAudited('ned')).toBeLessThanOrEqual(5);
    expect(replies.filter((r) => r.status === 401).length).toBeLessThanOrEqual(5);
    expect((await attempt('ned', 'ned-Password-1', '192.0.2.200')).json.errors[0].code).toBe('USER_LOCKED');
    await k.call('/artifactory/api/security/unlockUsers/ned', { method: 'POST', auth: admin });
    expect((await attempt('ned', 'ned-Password-1', '192.0.2.200')).status).toBe(200);
  });

  it('locks after the configured count when the policy is enabled, until an admin unlocks', async () => {
    expect((await k.call(POLICY, { auth: admin })).json).toEqual({ enabled: false, loginAttempts: 5 });
    expect((await k.call(POLICY, { method: 'PUT', auth: { basic: ['ola', 'ola-Password-1'] }, json: { enabled: true, loginAttempts: 3 } })).status).toBe(403);
    const put = await k.call(POLICY, { method: 'PUT', auth: admin, json: { enabled: true, loginAttempts: 3 } });
    expect(put.json).toEqual({ enabled: true, loginAttempts: 3 });
    expect((await k.call(POLICY, { method: 'PUT', auth: admin, json: { enabled: true, loginAttempts: 0 } })).status).toBe(400);

    for (const name of ['ola', 'pia', 'rex']) {
      for (let i = 0; i < 3; i++) {
        expect((await attempt(name, 'wrong-password')).status).toBe(401);
        await k.advance(60_000);
      }
      const locked = await attempt(name, `${name}-Password-1`, '198.51.100.77'); // from anywhere
      expect(locked.status).toBe(403);
      expect(locked.json.errors[0].code).toBe('USER_LOCKED');
    }
    expect((await k.call('/artifactory/api/security/users/ola', { auth: admin })).json.locked).toBe(true);

    expect((await k.call('/artifactory/api/security/unlockUsers/ola', { method: 'POST', auth: admin })).status).toBe(200);
    expect((await attempt('ola', 'ola-Password-1')).status).toBe(200);
    expect((await k.call('/artifactory/api/security/unlockUsers', { method: 'POST', auth: admin, json: ['pia'] })).status).toBe(200);
    expect((await attempt('pia', 'pia-Password-1')).status).toBe(200);
    expect((await attempt('rex', 'rex-Password-1')).status).toBe(403);
    expect((await k.call('/artifactory/api/security/unlockAllUsers', { method: 'POST', auth: admin })).status).toBe(200);
    expect((await attempt('rex', 'rex-Password-1')).status).toBe(200);
    await k.call(POLICY, { method: 'PUT', auth: admin, json: { enabled: false, loginAttempts: 5 } });
  });

  it('answers an unknown user exactly as a known one, byte for byte', async () => {
    await k.call(POLICY, { method: 'PUT', auth: admin, json: { enabled: true, loginAttempts: 2 } });
    const trace = async (name: string) => {
      const seen: string[] = [];
      for (let i = 0; i < 3; i++) {
        for (const password of ['wrong-password', 'still-wrong']) {
          const r = await attempt(name, password);
          seen.push(`${r.status} ${r.headers.get('retry-after')} ${r.text}`);
        }
        await k.advance(60_000);
      }
      return seen;
    };
    const known = await trace('ola');
    const unknown = await trace('nobody-here');
    expect(unknown).toEqual(known);
    expect(known.some((line) => line.includes('USER_LOCKED'))).toBe(true);
    await k.call('/artifactory/api/security/unlockAllUsers', { method: 'POST', auth: admin });
    await k.call(POLICY, { method: 'PUT', auth: admin, json: { enabled: false, loginAttempts: 5 } });
  });

  it('gives one answer for a known and an unknown name when the policy is turned on after failures were counted', async () => {
    await k.advance(120_000);
    for (const name of ['pia', 'ghost-of-pia']) {
      for (let i = 0; i < 4; i++) {
        await attempt(name, `wrong-${i}`);
        await k.advance(60_000);
      }
    }
    await k.call(POLICY, { method: 'PUT', auth: admin, json: { enabled: true, loginAttempts: 3 } });
    const known = await attempt('pia', 'wrong-again');
    const unknown = await attempt('ghost-of-pia', 'wrong-again');
    expect(`${known.status} ${known.text}`).toBe(`${unknown.status} ${unknown.text}`);
    expect(known.json.errors[0].code).toBe('USER_LOCKED');
    // The user record says what the sign-in does.
    expect((await k.call('/artifactory/api/security/users/pia', { auth: admin })).json.locked).toBe(true);
    await k.call('/artifactory/api/security/unlockAllUsers', { method: 'POST', auth: admin });
    expect((await k.call('/artifactory/api/security/users/pia', { auth: admin })).json.locked).toBe(false);
    await k.call(POLICY, { method: 'PUT', auth: admin, json: { enabled: false, loginAttempts: 5 } });
  });

  it("does not let anonymous failures take the locked user's API key, sessions or encrypted password away", async () => {
    await k.call(POLICY, { method: 'PUT', auth: admin, json: { enabled: true, loginAttempts: 5 } });
    const apiKey = (await k.call('/artifactory/api/security/apiKey', { method: 'POST', auth: admin })).json.apiKey as string;
    const encrypted = (await k.call('/artifactory/api/security/encryptedPassword', { auth: admin })).text;
    const session = (await k.call('/api/v1/session', { method: 'POST', json: { username: ADMIN.name, password: ADMIN.password } })).json.token as string;
    // Five anonymous wrong passwords lock the only admin's password…
    for (let i = 0; i < 5; i++) {
      await attempt(ADMIN.name, `attacker-${i}`, `203.0.113.${100 + i}`);
      await k.advance(60_000);
    }
    expect((await k.call(VERSION, { auth: admin })).json.errors[0].code).toBe('USER_LOCKED');
    // …but what the admin already holds goes on working, and is enough to unlock.
    expect((await k.call(VERSION, { auth: { apiKey } })).status).toBe(200);
    expect((await k.call(VERSION, { auth: { basic: [ADMIN.name, apiKey] } })).status).toBe(200);
    expect((await k.call(VERSION, { auth: { basic: [ADMIN.name, encrypted] } })).status).toBe(200);
    expect((await k.call('/api/v1/profile', { auth: { bearer: session } })).status).toBe(200);
    expect((await k.call(`/artifactory/api/security/unlockUsers/${ADMIN.name}`, { method: 'POST', auth: { apiKey } })).status).toBe(200);
    expect((await k.call(VERSION, { auth: admin })).status).toBe(200);
    await k.call(POLICY, { method: 'PUT', auth: admin, json: { enabled: false, loginAttempts: 5 } });
    await k.call('/artifactory/api/security/apiKey', { method: 'DELETE', auth: admin });
  });

  it('signs in and unlocks under the same rules', async () => {
    await k.advance(120_000);
    const signIn = (password: string) => k.call('/api/v1/session', { method: 'POST', json: { username: 'lee', password }, headers: from('192.0.2.50') });
    expect((await signIn('wrong-password')).status).toBe(401);
    await k.advance(1000);
    expect((await signIn('another-guess')).status).toBe(401);
    await k.advance(1000);
    expect((await signIn('third-guess')).status).toBe(401);
    expect((await signIn('fourth-guess')).json.errors[0].code).toBe('THROTTLED');
    await k.advance(4000);
    const session = await signIn('lee-Password-1');
    expect(session.status).toBe(200);
    const unlock = (password: string) =>
      k.call('/api/v1/session/unlock', { method: 'POST', auth: { bearer: session.json.token }, json: { password }, headers: from('192.0.2.50') });
    for (const guess of ['wrong-password', 'another-guess']) {
      const r = await unlock(guess);
      expect(r.status, r.text).toBe(401);
      await k.advance(1000);
    }
    expect((await unlock('third-guess')).status).toBe(401);
    expect((await unlock('fourth-guess')).json.errors[0].code).toBe('THROTTLED');
  });
});
