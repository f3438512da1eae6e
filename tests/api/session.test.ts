import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY_PATTERN, ENCRYPTED_PASSWORD_PATTERN } from '../../shared/formats';
import { ADMIN, startKeyfob, type RunningKeyfob } from '../helpers/keyfob';

const admin = { basic: [ADMIN.name, ADMIN.password] as [string, string] };

describe("Keyfob's own calls for the extension (/api/v1)", () => {
  let k: RunningKeyfob;
  beforeAll(async () => {
    k = await startKeyfob({ KEYFOB_UNLOCK_MINUTES: '5', KEYFOB_SESSION_IDLE_MINUTES: '60' });
    await k.createUser('nia', 'nia-Password-1');
    await k.createUser('oz', 'x', { realm: 'saml', password: undefined, keysWithoutUnlock: true });
  });
  afterAll(() => k.close());

  const signIn = async (username = 'nia', password = 'nia-Password-1') => {
    const reply = await k.call('/api/v1/session', { method: 'POST', json: { username, password } });
    expect(reply.status).toBe(200);
    return reply.json.token as string;
  };

  it('signs in: an opaque token, stored only as a hash, and a profile unlocked by the sign-in', async () => {
    const reply = await k.call('/api/v1/session', { method: 'POST', json: { username: 'NIA', password: 'nia-Password-1' } });
    expect(reply.status).toBe(200);
    // 160 random bits in base32, then their checksum.
    expect(reply.json.token).toMatch(/^kfs_[a-z2-7]{32}[A-Za-z0-9]{6}$/);
    expect(reply.json.profile).toMatchObject({
      name: 'nia',
      email: 'nia@example.com',
      realm: 'internal',
      unlocked: true,
      apiKey: null,
      canChangePassword: true,
    });
    const stored = await k.sql('select token_hash from sessions');
    expect(JSON.stringify(stored)).not.toContain(reply.json.token);
    expect(JSON.stringify(stored)).not.toContain(reply.json.token.slice(4));
    // One character off fails the checksum: answered as any unknown session is.
    const token = reply.json.token as string;
    const typo = `${token.slice(0, 10)}${token[10] === 'a' ? 'b' : 'a'}${token.slice(11)}`;
    const mistyped = await k.call('/api/v1/profile', { auth: { bearer: typo } });
    expect([mistyped.status, mistyped.json.errors[0]]).toEqual([
      401,
      { status: 401, code: 'SESSION_EXPIRED', message: 'Your session has ended: sign in again' },
    ]);
    expect((await k.call('/api/v1/profile', { auth: { bearer: token } })).status).toBe(200);
    const wrong = await k.call('/api/v1/session', { method: 'POST', json: { username: 'nia', password: 'nope-nope-nope' } });
    expect(wrong.status).toBe(401);
    expect(wrong.json.errors[0].code).toBe('BAD_CREDENTIALS');
    await k.advance(2000);
  });

  it('generates, reveals, masks, regenerates and revokes the key', async () => {
    const bearer = { bearer: await signIn() };
    const generated = await k.call('/api/v1/profile/apiKey', { method: 'POST', auth: bearer });
    expect(generated.status).toBe(200);
    const apiKey = generated.json.apiKey as string;
    expect(apiKey).toMatch(API_KEY_PATTERN);
    expect(generated.json.summary).toMatchObject({ masked: `AKCp••••••••${apiKey.slice(-4)}`, lastUsedAt: null, needsRegeneration: false });
    expect((await k.call('/api/v1/profile/apiKey', { method: 'POST', auth: bearer })).status).toBe(409);

    const profile = await k.call('/api/v1/profile', { auth: bearer });
    expect(profile.json.apiKey.masked).toBe(`AKCp••••••••${apiKey.slice(-4)}`);
    expect(profile.text).not.toContain(apiKey);

    await k.call('/artifactory/api/system/version', { auth: { apiKey } });
    expect((await k.call('/api/v1/profile', { auth: bearer })).json.apiKey.lastUsedAt).toBe(new Date(k.now()).toISOString());

    expect((await k.call('/api/v1/profile/apiKey', { auth: bearer })).json.apiKey).toBe(apiKey);
    const regenerated = await k.call('/api/v1/profile/apiKey', { method: 'PUT', auth: bearer });
    expect(regenerated.json.apiKey).not.toBe(apiKey);
    expect((await k.call('/artifactory/api/system/version', { auth: { apiKey } })).status).toBe(401);

    const revoked = await k.call('/api/v1/profile/apiKey', { method: 'DELETE', auth: bearer });
    expect(revoked.status).toBe(200);
    expect(revoked.json.apiKey).toBeNull();
    expect((await k.call('/artifactory/api/system/version', { auth: { apiKey: regenerated.json.apiKey } })).status).toBe(401);
    expect((await k.call('/api/v1/profile/apiKey', { auth: bearer })).status).toBe(404);
  });

  it('reveals the encrypted password, the same one the REST call gives', async () => {
    const bearer = { bearer: await signIn() };
    const revealed = await k.call('/api/v1/profile/encryptedPassword', { auth: bearer });
    expect(revealed.json.encryptedPassword).toMatch(ENCRYPTED_PASSWORD_PATTERN);
    const rest = await k.call('/artifactory/api/security/encryptedPassword', { auth: { basic: ['nia', 'nia-Password-1'] } });
    expect(revealed.json.encryptedPassword).toBe(rest.text);
  });

  it('hides secrets once locked or once the unlock window passes, and shows them again after unlock', async () => {
    const token = await signIn();
    const bearer = { bearer: token };
    await k.call('/api/v1/profile/apiKey', { method: 'PUT', auth: bearer });
    const locked = await k.call('/api/v1/session/lock', { method: 'POST', auth: bearer });
    expect(locked.json.profile.unlocked).toBe(false);
    for (const path of ['/api/v1/profile/apiKey', '/api/v1/profile/encryptedPassword', '/artifactory/api/security/apiKey']) {
      const refused = await k.call(path, { auth: bearer });
      expect(refused.status).toBe(403);
      expect(refused.json.errors[0].code).toBe('UNLOCK_REQUIRED');
    }
    // The masked key and the profile stay visible while locked.
    expect((await k.call('/api/v1/profile', { auth: bearer })).json.apiKey.masked).toMatch(/^AKCp••••••••/);

    const unlocked = await k.call('/api/v1/session/unlock', { method: 'POST', auth: bearer, json: { password: 'nia-Password-1' } });
    expect(unlocked.status).toBe(200);
    expect(unlocked.json.unlockedUntil).toBe(new Date(k.now() + 5 * 60_000).toISOString());
    expect((await k.call('/api/v1/profile/apiKey', { auth: bearer })).status).toBe(200);

    await k.advance(5 * 60_000 + 1);
    expect((await k.call('/api/v1/profile/apiKey', { auth: bearer })).json.errors[0].code).toBe('UNLOCK_REQUIRED');
    expect((await k.call('/api/v1/profile', { auth: bearer })).json).toMatchObject({ unlocked: false, unlockedUntil: null });
  });

  it('lets a user whose admin allows it reach their keys without unlocking', async () => {
    // An internal user again (an external realm's user has no Keyfob password to sign in with).
    await k.call('/artifactory/api/security/users/oz', { method: 'POST', auth: admin, json: { password: 'oz-Password-1', realm: 'internal' } });
    const bearer = { bearer: await signIn('oz', 'oz-Password-1') };
    await k.call('/api/v1/session/lock', { method: 'POST', auth: bearer });
    expect((await k.call('/api/v1/profile/apiKey', { method: 'POST', auth: bearer })).status).toBe(200);
    expect((await k.call('/api/v1/profile', { auth: bearer })).json).toMatchObject({
      unlocked: true,
      keysWithoutUnlock: true,
      canChangePassword: true,
      realm: 'internal',
    });
  });

  it('updates the email after unlock, and validates it', async () => {
    const bearer = { bearer: await signIn() };
    const updated = await k.call('/api/v1/profile', { method: 'PATCH', auth: bearer, json: { email: 'nia@new.example' } });
    expect(updated.status).toBe(200);
    expect(updated.json.email).toBe('nia@new.example');
    expect((await k.call('/api/v1/profile', { method: 'PATCH', auth: bearer, json: { email: 'not an email' } })).status).toBe(400);
    await k.call('/api/v1/session/lock', { method: 'POST', auth: bearer });
    expect((await k.call('/api/v1/profile', { method: 'PATCH', auth: bearer, json: { email: 'x@y.example' } })).status).toBe(403);
  });

  it('expires idle sessions, keeps used ones alive, and signs out', async () => {
    const token = await signIn();
    const bearer = { bearer: token };
    await k.advance(50 * 60_000);
    expect((await k.call('/api/v1/profile', { auth: bearer })).status).toBe(200); // use extends the idle expiry
    await k.advance(50 * 60_000);
    expect((await k.call('/api/v1/profile', { auth: bearer })).status).toBe(200);
    await k.advance(61 * 60_000);
    const expired = await k.call('/api/v1/profile', { auth: bearer });
    expect(expired.status).toBe(401);
    expect(expired.json.errors[0].code).toBe('SESSION_EXPIRED');

    const other = { bearer: await signIn() };
    expect((await k.call('/api/v1/session', { method: 'DELETE', auth: other })).status).toBe(200);
    expect((await k.call('/api/v1/profile', { auth: other })).json.errors[0].code).toBe('SESSION_EXPIRED');
    expect((await k.call('/api/v1/session/unlock', { method: 'POST', auth: { apiKey: `AKCp${'x'.repeat(69)}` }, json: { password: 'x' } })).status).toBe(401);
  });

  it('accepts the session as a Bearer credential on the Artifactory calls too', async () => {
    const bearer = { bearer: await signIn() };
    expect((await k.call('/artifactory/api/system/version', { auth: bearer })).status).toBe(200);
    expect((await k.call('/artifactory/api/security/apiKey', { method: 'PUT', auth: bearer })).json.apiKey).toMatch(API_KEY_PATTERN);
  });
});

describe('challenges', () => {
  it('asks browsers for a Bearer token on /api/v1 (a Basic challenge would raise a login prompt), and scripts for Basic on /artifactory', async () => {
    const k = await startKeyfob();
    try {
      const v1 = await k.call('/api/v1/session', { method: 'POST', json: { username: 'nobody', password: 'nope' } });
      expect(v1.status).toBe(401);
      expect(v1.headers.get('www-authenticate')).toBe('Bearer realm="Keyfob"');
      expect((await k.call('/api/v1/profile')).headers.get('www-authenticate')).toBe('Bearer realm="Keyfob"');
      expect((await k.call('/artifactory/api/system/version')).headers.get('www-authenticate')).toBe('Basic realm="Artifactory Realm"');
    } finally {
      await k.close();
    }
  });
});
