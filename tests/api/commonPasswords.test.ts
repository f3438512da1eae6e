/**
 * Passwords everywhere one is set: never one of the most common (OWASP ASVS 6.2.4), compared without regard
 * to case; and Unicode-normalised (NFC) before the policy, the hash and the check, so a password typed in NFD
 * on one machine works when typed in NFC on another. The reset link's path is in tests/node/passwordReset.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startKeyfob, type RunningKeyfob } from '../helpers/keyfob';

const A = '/artifactory/api';
const V = '/api/v1';
const VERSION = `${A}/system/version`;
const admin = { basic: [ADMIN.name, ADMIN.password] as [string, string] };
const COMMON = /one of the most commonly used passwords.*choose another/;

describe('the most common passwords', () => {
  let k: RunningKeyfob;
  beforeAll(async () => {
    k = await startKeyfob();
    await k.createUser('cora', 'cora-Password-1');
  });
  afterAll(() => k.close());

  const refusedAsCommon = (reply: { status: number; json: any }) => {
    expect(reply.status).toBe(400);
    expect(reply.json.errors[0]).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
    expect(reply.json.errors[0].message).toMatch(COMMON);
  };

  it('are refused when an admin creates a user, in any case, though they keep the length and class rules', async () => {
    for (const password of ['Password1', 'PASSWORD1', 'pAsSwOrD1', 'Qwerty123', '1qaz2wsx', 'P@ssw0rd', 'Welcome1']) {
      refusedAsCommon(await k.call(`${A}/security/users/newbie`, { method: 'PUT', auth: admin, json: { email: 'n@example.com', password } }));
    }
    expect((await k.call(`${A}/security/users/newbie`, { auth: admin })).status).toBe(404);
    // A password that is not on the list goes through as before.
    expect(
      (await k.call(`${A}/security/users/newbie`, { method: 'PUT', auth: admin, json: { email: 'n@example.com', password: 'Tr0ub4dor&3-horse' } })).status,
    ).toBe(201);
  });

  it("are refused when an admin replaces or updates a user's password", async () => {
    refusedAsCommon(await k.call(`${A}/security/users/cora`, { method: 'PUT', auth: admin, json: { email: 'c@example.com', password: 'Football1' } }));
    refusedAsCommon(await k.call(`${A}/security/users/cora`, { method: 'POST', auth: admin, json: { password: 'Iloveyou1' } }));
    refusedAsCommon(
      await k.call(`${A}/security/users/authorization/changePassword`, {
        method: 'POST',
        auth: admin,
        json: { userName: 'cora', newPassword1: 'Baseball1', newPassword2: 'Baseball1' },
      }),
    );
    expect((await k.call(VERSION, { auth: { basic: ['cora', 'cora-Password-1'] } })).status).toBe(200);
  });

  it('are refused when users change their own password, and the old one stays', async () => {
    const cora = { basic: ['cora', 'cora-Password-1'] as [string, string] };
    refusedAsCommon(
      await k.call(`${A}/security/users/authorization/changePassword`, {
        method: 'POST',
        auth: cora,
        json: { userName: 'cora', oldPassword: 'cora-Password-1', newPassword1: 'Passw0rd', newPassword2: 'Passw0rd' },
      }),
    );
    const session = await k.call(`${V}/session`, { method: 'POST', json: { username: 'cora', password: 'cora-Password-1' } });
    refusedAsCommon(
      await k.call(`${V}/profile/password`, {
        method: 'POST',
        auth: { bearer: session.json.token },
        json: { oldPassword: 'cora-Password-1', newPassword1: 'Sunshine1', newPassword2: 'Sunshine1' },
      }),
    );
    expect((await k.call(VERSION, { auth: cora })).status).toBe(200);
  });

  it('are refused when an expired password is renewed', async () => {
    await k.createUser('exa', 'exa-Password-1');
    expect((await k.call(`${A}/security/users/authorization/expirePassword/exa`, { method: 'POST', auth: admin })).status).toBe(200);
    refusedAsCommon(
      await k.call(`${V}/session/password`, {
        method: 'POST',
        json: { username: 'exa', oldPassword: 'exa-Password-1', newPassword1: 'Superman1', newPassword2: 'Superman1' },
      }),
    );
    const renewed = await k.call(`${V}/session/password`, {
      method: 'POST',
      json: { username: 'exa', oldPassword: 'exa-Password-1', newPassword1: 'exa-Password-2', newPassword2: 'exa-Password-2' },
    });
    expect(renewed.status).toBe(200);
  });
});

describe('Unicode forms', () => {
  let k: RunningKeyfob;
  beforeAll(async () => {
    k = await startKeyfob();
  });
  afterAll(() => k.close());

  const nfc = 'Zoë-Pässwörd-1'.normalize('NFC');
  const nfd = nfc.normalize('NFD');

  it('verifies a password set in NFC when it is typed in NFD, and the other way round', async () => {
    expect(nfc).not.toBe(nfd);
    await k.createUser('zoe', nfc);
    await k.createUser('zed', nfd);
    for (const [name, typed] of [
      ['zoe', nfd],
      ['zoe', nfc],
      ['zed', nfc],
      ['zed', nfd],
    ] as const) {
      expect((await k.call(VERSION, { auth: { basic: [name, typed] } })).status, `${name} with ${typed === nfc ? 'NFC' : 'NFD'}`).toBe(200);
      expect((await k.call(`${V}/session`, { method: 'POST', json: { username: name, password: typed } })).status).toBe(200);
    }
    expect((await k.call(VERSION, { auth: { basic: ['zoe', 'Zoe-Passwort-1'] } })).status).toBe(401);
  });

  it('counts characters in NFC: a combining accent is not a character of its own', async () => {
    // Seven characters in NFC, twelve code points in NFD.
    const short = 'Aé1éééé'.normalize('NFD');
    const reply = await k.call(`${A}/security/users/shorty`, { method: 'PUT', auth: admin, json: { email: 's@example.com', password: short } });
    expect(reply.status).toBe(400);
    expect(reply.json.errors[0].message).toMatch(/at least 8 characters/);
  });

  it('takes "the new password must differ" in NFC too', async () => {
    const zoe = { basic: ['zoe', nfc] as [string, string] };
    const reply = await k.call(`${A}/security/users/authorization/changePassword`, {
      method: 'POST',
      auth: zoe,
      json: { userName: 'zoe', oldPassword: nfc, newPassword1: nfd, newPassword2: nfd },
    });
    expect(reply.status).toBe(400);
    expect(reply.json.errors[0].message).toMatch(/must differ from the old one/);
  });
});
