import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startKeyfob, type RunningKeyfob } from '../helpers/keyfob';

const VERSION = '/artifactory/api/system/version';
const POLICY = '/artifactory/api/security/userLockPolicy';
const admin = { basic: [ADMIN.name, ADMIN.password] as [string, string] };

describe("Artifactory's lockout", () => {
  let k: RunningKeyfob;
  beforeAll(async () => {
    k = await startKeyfob();
    for (const name of ['jo', 'kim', 'lee', 'max']) await k.createUser(name, `${name}-Password-1`);
  });
  afterAll(() => k.close());
  const attempt = (name: string, password: string) => k.call(VERSION, { auth: { basic: [name, password] } });

  it('answers 403 during a delay that doubles with each failure, up to 60 s', async () => {
    const waits: number[] = [];
    for (let i = 0; i < 9; i++) {
      expect((await attempt('jo', 'wrong-password')).status).toBe(401);
      const throttled = await attempt('jo', 'jo-Password-1'); // even the right password waits
      expect(throttled.status).toBe(403);
      expect(throttled.json.errors[0]).toMatchObject({ code: 'THROTTLED', message: expect.stringMatching(/try again in \d+ second/) });
      const wait = Number(throttled.headers.get('retry-after'));
      waits.push(wait);
      await k.advance(wait * 1000);
    }
    expect(waits).toEqual([1, 2, 4, 8, 16, 32, 60, 60, 60]);
    // Past the delay the right password works, and clears the count.
    expect((await attempt('jo', 'jo-Password-1')).status).toBe(200);
    expect((await attempt('jo', 'wrong-password')).status).toBe(401);
    expect(Number((await attempt('jo', 'another-guess')).headers.get('retry-after'))).toBe(1);
    // A password already verified against the current hash is not a guess: it is not delayed.
    expect((await attempt('jo', 'jo-Password-1')).status).toBe(200);
    await k.advance(1000);
  });

  it('locks after the configured count when the policy is enabled, until an admin unlocks', async () => {
    expect((await k.call(POLICY, { auth: admin })).json).toEqual({ enabled: false, loginAttempts: 5 });
    expect((await k.call(POLICY, { method: 'PUT', auth: { basic: ['kim', 'kim-Password-1'] }, json: { enabled: true, loginAttempts: 3 } })).status).toBe(403);
    const put = await k.call(POLICY, { method: 'PUT', auth: admin, json: { enabled: true, loginAttempts: 3 } });
    expect(put.json).toEqual({ enabled: true, loginAttempts: 3 });
    expect((await k.call(POLICY, { method: 'PUT', auth: admin, json: { enabled: true, loginAttempts: 0 } })).status).toBe(400);

    for (const name of ['kim', 'lee', 'max']) {
      for (let i = 0; i < 3; i++) {
        expect((await attempt(name, 'wrong-password')).status).toBe(401);
        await k.advance(60_000);
      }
      const locked = await attempt(name, `${name}-Password-1`);
      expect(locked.status).toBe(403);
      expect(locked.json.errors[0].code).toBe('USER_LOCKED');
    }
    expect((await k.call('/artifactory/api/security/users/kim', { auth: admin })).json.locked).toBe(true);

    expect((await k.call('/artifactory/api/security/unlockUsers/kim', { method: 'POST', auth: admin })).status).toBe(200);
    expect((await attempt('kim', 'kim-Password-1')).status).toBe(200);
    expect((await k.call('/artifactory/api/security/unlockUsers', { method: 'POST', auth: admin, json: ['lee'] })).status).toBe(200);
    expect((await attempt('lee', 'lee-Password-1')).status).toBe(200);
    expect((await attempt('max', 'max-Password-1')).status).toBe(403);
    expect((await k.call('/artifactory/api/security/unlockAllUsers', { method: 'POST', auth: admin })).status).toBe(200);
    expect((await attempt('max', 'max-Password-1')).status).toBe(200);
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
    const known = await trace('kim');
    const unknown = await trace('nobody-here');
    expect(unknown).toEqual(known);
    expect(known.some((line) => line.includes('USER_LOCKED'))).toBe(true);
    await k.call('/artifactory/api/security/unlockAllUsers', { method: 'POST', auth: admin });
  });

  it('signs in and unlocks under the same rules', async () => {
    const signIn = (password: string) => k.call('/api/v1/session', { method: 'POST', json: { username: 'lee', password } });
    await k.advance(60_000);
    expect((await signIn('wrong-password')).status).toBe(401);
    expect((await signIn('another-guess')).json.errors[0].code).toBe('THROTTLED');
    await k.advance(1000);
    const session = await signIn('lee-Password-1');
    expect(session.status).toBe(200);
    const unlock = (password: string) => k.call('/api/v1/session/unlock', { method: 'POST', auth: { bearer: session.json.token }, json: { password } });
    expect((await unlock('wrong-password')).status).toBe(401);
    expect((await unlock('another-guess')).json.errors[0].code).toBe('THROTTLED');
  });
});
