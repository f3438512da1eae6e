/**
 * What an outside review of the credential model tried, over real HTTP: each is a way one stolen
 * credential, or an anonymous burst, reached further than it should, and is now closed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startKeyfob, type RunningKeyfob } from '../helpers/keyfob';

const A = '/artifactory/api';
const T = '/access/api/v1/tokens';
const VERSION = `${A}/system/version`;
const admin = { basic: [ADMIN.name, ADMIN.password] as [string, string] };
const code = (reply: { json: any }) => reply.json?.errors?.[0]?.code;

describe('attacks from an outside review', () => {
  let k: RunningKeyfob;
  const zoe = { basic: ['zoe', 'zoe-Password-1'] as [string, string] };
  beforeAll(async () => {
    k = await startKeyfob();
    await k.createUser('zoe', 'zoe-Password-1');
    await k.createUser('boss', 'boss-Password-1', { admin: true });
  });
  afterAll(() => k.close());

  it('gives a stolen API key no token to outlive it', async () => {
    const apiKey = (await k.call(`${A}/security/apiKey`, { method: 'POST', auth: zoe })).json.apiKey as string;
    const minted = await k.call(T, { method: 'POST', auth: { apiKey }, json: { refreshable: true } });
    expect(minted.status).toBe(403);
    expect((await k.call(T, { method: 'POST', auth: { basic: ['zoe', apiKey] }, json: { expires_in: 60 } })).status).toBe(403);
  });

  it('lets a token make only shorter, non-refreshable tokens, revoked with it', async () => {
    const parent = (await k.call(T, { method: 'POST', auth: zoe, json: { expires_in: 600 } })).json;
    const asParent = { bearer: parent.access_token as string };
    expect((await k.call(T, { method: 'POST', auth: asParent, json: { refreshable: true, expires_in: 60 } })).status).toBe(403);
    expect((await k.call(T, { method: 'POST', auth: asParent, json: { expires_in: 3600 } })).status).toBe(400);
    // Not given: the child ends when the parent does, not a year from now.
    const child = (await k.call(T, { method: 'POST', auth: asParent, json: {} })).json;
    expect(child.expires_in).toBeLessThanOrEqual(600);
    const grandchild = (await k.call(T, { method: 'POST', auth: { bearer: child.access_token }, json: { expires_in: 60 } })).json;
    expect((await k.call(VERSION, { auth: { bearer: grandchild.access_token } })).status).toBe(200);
    // Revoking the parent ends the whole tree.
    expect((await k.call(`${T}/${parent.token_id}`, { method: 'DELETE', auth: zoe })).status).toBe(200);
    for (const token of [child.access_token, grandchild.access_token]) expect((await k.call(VERSION, { auth: { bearer: token } })).status).toBe(401);
  });

  it('never shows the API key to a token', async () => {
    const token = (await k.call(T, { method: 'POST', auth: zoe, json: { expires_in: 60 } })).json.access_token;
    const reply = await k.call(`${A}/security/apiKey`, { auth: { bearer: token } });
    expect(reply.status).toBe(403);
    expect(reply.text).not.toMatch(/AKCp/);
    expect((await k.call('/api/v1/profile/apiKey', { auth: { bearer: token } })).status).toBe(403);
  });

  it("keeps an admin's API key from making an admin who then takes over another admin", async () => {
    const key = (await k.call(`${A}/security/apiKey`, { method: 'POST', auth: { basic: ['boss', 'boss-Password-1'] } })).json.apiKey as string;
    const made = await k.call(`${A}/security/users/helper`, {
      method: 'PUT',
      auth: { apiKey: key },
      json: { email: 'h@x.example', password: 'helper-Password-9', admin: true },
    });
    expect(made.status).toBe(403);
    expect((await k.call(`${A}/security/users/zoe`, { method: 'POST', auth: { apiKey: key }, json: { admin: true } })).status).toBe(403);
    expect((await k.call(`${A}/security/users/${ADMIN.name}`, { method: 'POST', auth: { apiKey: key }, json: { password: 'taken-Password-9' } })).status).toBe(
      403,
    );
    expect((await k.call(T, { method: 'POST', auth: admin, json: {} })).status).toBe(200);
    expect(
      (
        await k.call(`${A}/security/users/authorization/changePassword`, {
          method: 'POST',
          auth: { apiKey: key },
          json: { userName: ADMIN.name, newPassword1: 'taken-Password-9', newPassword2: 'taken-Password-9' },
        })
      ).status,
    ).toBe(403);
    // Ordinary admin work with the key goes on.
    expect(
      (await k.call(`${A}/security/users/plain`, { method: 'PUT', auth: { apiKey: key }, json: { email: 'p@x.example', password: 'plain-Password-9' } }))
        .status,
    ).toBe(201);
    // With the password, the admin may.
    expect((await k.call(`${A}/security/users/plain`, { method: 'POST', auth: { basic: ['boss', 'boss-Password-1'] }, json: { admin: true } })).status).toBe(
      200,
    );
  });

  it('does not keep a user out of a session they hold when anonymous guesses lock their password', async () => {
    const session = (await k.call('/api/v1/session', { method: 'POST', json: { username: 'zoe', password: 'zoe-Password-1' } })).json.token as string;
    await k.call('/api/v1/session/lock', { method: 'POST', auth: { bearer: session } });
    await k.call(`${A}/security/userLockPolicy`, { method: 'PUT', auth: admin, json: { enabled: true, loginAttempts: 3 } });
    for (let i = 0; i < 3; i++) {
      await k.call(VERSION, { auth: { basic: ['zoe', `guess-${i}`] }, headers: {} });
      await k.advance(61_000);
    }
    expect(code(await k.call(VERSION, { auth: zoe }))).toBe('USER_LOCKED');
    const unlocked = await k.call('/api/v1/session/unlock', { method: 'POST', auth: { bearer: session }, json: { password: 'zoe-Password-1' } });
    expect(unlocked.status).toBe(200);
    expect((await k.call(VERSION, { auth: zoe })).status).toBe(200);
    await k.call(`${A}/security/userLockPolicy`, { method: 'PUT', auth: admin, json: { enabled: false, loginAttempts: 5 } });
  });

  it("ends the whole family when a spent refresh token comes back, and holds refreshes to today's policy", async () => {
    const first = (await k.call(T, { method: 'POST', auth: zoe, json: { expires_in: 86400, refreshable: true } })).json;
    const second = (await k.call(T, { method: 'POST', json: { grant_type: 'refresh_token', refresh_token: first.refresh_token } })).json;
    expect((await k.call(VERSION, { auth: { bearer: second.access_token } })).status).toBe(200);
    const replay = await k.call(T, { method: 'POST', json: { grant_type: 'refresh_token', refresh_token: first.refresh_token } });
    expect(replay.status).toBe(401);
    expect(replay.json.errors[0].message).toMatch(/used already/);
    expect((await k.call(VERSION, { auth: { bearer: second.access_token } })).status).toBe(401);
    expect((await k.call(T, { method: 'POST', json: { grant_type: 'refresh_token', refresh_token: second.refresh_token } })).status).toBe(401);

    const long = (await k.call(T, { method: 'POST', auth: zoe, json: { expires_in: 86400, refreshable: true } })).json;
    await k.call('/api/v1/settings/tokenPolicy', {
      method: 'PUT',
      auth: admin,
      json: { defaultExpiresInSeconds: 3600, maxExpiresInSeconds: 3600, allowNonExpiring: false },
    });
    expect((await k.call(T, { method: 'POST', json: { grant_type: 'refresh_token', refresh_token: long.refresh_token } })).json.expires_in).toBe(3600);
    await k.call('/api/v1/settings/tokenPolicy', {
      method: 'PUT',
      auth: admin,
      json: { defaultExpiresInSeconds: 31536000, maxExpiresInSeconds: 31536000, allowNonExpiring: false },
    });
  });

  it('revokes by refresh token value too', async () => {
    const issued = (await k.call(T, { method: 'POST', auth: zoe, json: { expires_in: 600, refreshable: true } })).json;
    const reply = await k.call(`${A}/security/token/revoke`, {
      method: 'POST',
      auth: zoe,
      body: `token=${issued.refresh_token}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(reply.text).toBe('Token revoked');
    expect((await k.call(VERSION, { auth: { bearer: issued.access_token } })).status).toBe(401);
  });

  it('tells a non-admin nothing about which other names exist', async () => {
    const known = await k.call(`${A}/security/users/boss`, { auth: zoe });
    const unknown = await k.call(`${A}/security/users/nobody-at-all`, { auth: zoe });
    expect([known.status, known.text]).toEqual([unknown.status, unknown.text]);
    expect(known.status).toBe(403);
  });

  it('answers a known and an unknown name alike after the lock threshold is raised', async () => {
    await k.call(`${A}/security/userLockPolicy`, { method: 'PUT', auth: admin, json: { enabled: true, loginAttempts: 3 } });
    await k.createUser('ann', 'ann-Password-1');
    for (const name of ['ann', 'ghost-ann']) {
      for (let i = 0; i < 3; i++) {
        await k.call(VERSION, { auth: { basic: [name, `guess-${i}`] } });
        await k.advance(61_000);
      }
    }
    await k.call(`${A}/security/userLockPolicy`, { method: 'PUT', auth: admin, json: { enabled: true, loginAttempts: 10 } });
    const known = await k.call(VERSION, { auth: { basic: ['ann', 'wrong-again'] } });
    const unknown = await k.call(VERSION, { auth: { basic: ['ghost-ann', 'wrong-again'] } });
    expect(`${known.status} ${known.text}`).toBe(`${unknown.status} ${unknown.text}`);
    expect(known.status).toBe(401);
    await k.call(`${A}/security/userLockPolicy`, { method: 'PUT', auth: admin, json: { enabled: false, loginAttempts: 5 } });
  });

  it('unlocks a thousand names in one call without a 500', async () => {
    const names = Array.from({ length: 1000 }, (_, i) => `name-${i}`);
    expect((await k.call(`${A}/security/unlockUsers`, { method: 'POST', auth: admin, json: names })).status).toBe(200);
  });
});
