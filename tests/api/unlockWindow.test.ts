import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKeyfob, type RunningKeyfob } from '../helpers/keyfob';

const MINUTE = 60_000;

// The extension's auto-lock choice holds on the server: an unlock lasts the chosen time past the last use,
// never past the server's maximum, which the profile says; and the profile says when and why one ran out.
describe('the unlock follows the auto-lock choice, within the server maximum', () => {
  let k: RunningKeyfob;
  beforeAll(async () => {
    k = await startKeyfob({ KEYFOB_UNLOCK_MINUTES: '5', KEYFOB_UNLOCK_MAX_MINUTES: '60', KEYFOB_SESSION_IDLE_MINUTES: '600' });
    await k.createUser('ula', 'ula-Password-1');
  });
  afterAll(() => k.close());

  const signIn = async (idleMinutes?: number | null) => {
    const reply = await k.call('/api/v1/session', { method: 'POST', json: { username: 'ula', password: 'ula-Password-1', idleMinutes } });
    expect(reply.status).toBe(200);
    return { bearer: reply.json.token as string };
  };
  const canReveal = async (auth: { bearer: string }) => (await k.call('/api/v1/profile/encryptedPassword', { auth })).status === 200;
  const profile = async (auth: { bearer: string }) => (await k.call('/api/v1/profile', { auth })).json;

  it('moves on with use, for the time asked (not the default five minutes), and ends after that time unused', async () => {
    const auth = await signIn(15);
    const start = k.now();
    expect(await profile(auth)).toMatchObject({
      unlocked: true,
      unlockedUntil: new Date(start + 15 * MINUTE).toISOString(),
      unlockEndsAt: new Date(start + 60 * MINUTE).toISOString(),
      unlockEnded: null,
      unlockMaxMinutes: 60,
    });
    // Used every ten minutes for forty: still open, though the default window and the first 15 are long gone.
    for (let i = 0; i < 4; i++) {
      await k.advance(10 * MINUTE);
      expect(await canReveal(auth)).toBe(true);
    }
    expect((await profile(auth)).unlockedUntil).toBe(new Date(k.now() + 15 * MINUTE).toISOString());
    const lastUse = k.now();
    await k.advance(15 * MINUTE + 1);
    expect(await canReveal(auth)).toBe(false);
    expect(await profile(auth)).toMatchObject({
      unlocked: false,
      unlockedUntil: null,
      unlockEndsAt: null,
      unlockEnded: { at: new Date(lastUse + 15 * MINUTE).toISOString(), by: 'idle' },
    });
  });

  it('never lasts past the maximum, however much it is used, and says the limit ended it', async () => {
    const auth = await signIn(null); // "when the browser restarts": as long as the server allows
    const start = k.now();
    for (let i = 0; i < 11; i++) {
      await k.advance(5 * MINUTE);
      expect(await canReveal(auth)).toBe(true);
    }
    await k.advance(5 * MINUTE);
    expect(await canReveal(auth)).toBe(false);
    expect((await profile(auth)).unlockEnded).toEqual({ at: new Date(start + 60 * MINUTE).toISOString(), by: 'limit' });
    // Unlocking again opens a new window, for the time asked.
    const unlocked = await k.call('/api/v1/session/unlock', { method: 'POST', auth, json: { password: 'ula-Password-1', idleMinutes: 1 } });
    expect(unlocked.status).toBe(200);
    expect(unlocked.json.unlockedUntil).toBe(new Date(k.now() + MINUTE).toISOString());
    expect(unlocked.json.profile.unlockEnded).toBeNull();
  });

  it('holds a longer choice to the maximum, and keeps the default window when nothing is asked', async () => {
    const long = await signIn(600);
    expect((await profile(long)).unlockedUntil).toBe(new Date(k.now() + 60 * MINUTE).toISOString());
    const plain = await signIn();
    expect((await profile(plain)).unlockedUntil).toBe(new Date(k.now() + 5 * MINUTE).toISOString());
  });

  it('ends nothing to say when the user locked by hand', async () => {
    const auth = await signIn(15);
    await k.call('/api/v1/session/lock', { method: 'POST', auth });
    await k.advance(20 * MINUTE);
    expect(await profile(auth)).toMatchObject({ unlocked: false, unlockEnded: null });
  });

  it('refuses an idle time that is no whole number of minutes, in the error shape', async () => {
    for (const idleMinutes of [0, -5, 1.5, 'ten', 7 * 24 * 60 + 1]) {
      const reply = await k.call('/api/v1/session', { method: 'POST', json: { username: 'ula', password: 'ula-Password-1', idleMinutes } });
      expect(reply.status).toBe(400);
      expect(reply.json.errors[0]).toMatchObject({ status: 400 });
    }
    const auth = await signIn();
    const reply = await k.call('/api/v1/session/unlock', { method: 'POST', auth, json: { password: 'ula-Password-1', idleMinutes: 0 } });
    expect(reply.status).toBe(400);
  });
});
