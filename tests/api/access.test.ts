/**
 * Which credential may do what (api/domain/access.ts), tried as an attacker holding one credential would:
 * a leaked API key, a locked session, an SSO session, a disabled password, an old session.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startKeyfob, type RunningKeyfob } from '../helpers/keyfob';

const V = '/api/v1';
const A = '/artifactory/api';
const admin = { basic: [ADMIN.name, ADMIN.password] as [string, string] };
const code = (reply: { json: any }) => reply.json?.errors?.[0]?.code;

describe('what each credential may do', () => {
  let k: RunningKeyfob;
  beforeAll(async () => {
    k = await startKeyfob({ HTTP_SSO_HEADER: 'REMOTE_USER', HTTP_SSO_TRUSTED_PROXIES: '127.0.0.1', KEYFOB_SESSION_MAX_DAYS: '30' });
    await k.createUser('ana', 'ana-Password-1', { email: 'ana@old.example' });
    await k.createUser('ben', 'ben-Password-1');
    await k.createUser('cat', 'cat-Password-1', { admin: true });
    await k.createUser('dev', 'dev-Password-1');
    await k.createUser('eve', 'eve-Password-1');
    await k.createUser('fay', 'fay-Password-1', { profileUpdatable: false });
    await k.createUser('gus', 'gus-Password-1');
  });
  afterAll(() => k.close());
  const signIn = async (username: string, password: string) =>
    (await k.call(`${V}/session`, { method: 'POST', json: { username, password } })).json.token as string;

  it('does not let a leaked API key become the account', async () => {
    const ana = { basic: ['ana', 'ana-Password-1'] as [string, string] };
    const apiKey = (await k.call(`${A}/security/apiKey`, { method: 'POST', auth: ana })).json.apiKey as string;
    const key = { apiKey };
    // It uses the account…
    expect((await k.call(`${V}/profile`, { auth: key })).status).toBe(200);
    expect((await k.call(`${V}/profile/apiKey`, { auth: key })).status).toBe(200);
    // …but never yields the password-derived AP1 (which would outlive revoking the key)…
    const ap1 = await k.call(`${V}/profile/encryptedPassword`, { auth: key });
    expect(ap1.status).toBe(403);
    expect(ap1.text).not.toMatch(/AP1/);
    expect((await k.call(`${A}/security/encryptedPassword`, { auth: key })).text).toMatch(/^AP2/);
    // …cannot change the e-mail (after which a reset link would take the account), nor the Bintray key…
    expect((await k.call(`${V}/profile`, { method: 'PATCH', auth: key, json: { email: 'attacker@evil.example' } })).status).toBe(403);
    expect((await k.call(`${V}/profile/bintray`, { method: 'PUT', auth: key, json: { username: 'x', apiKey: 'y' } })).status).toBe(403);
    // …cannot add an SSH key (a way back in after the key is revoked), nor regenerate or revoke itself.
    const sshKey = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGmMNCFDsAOmlmJkQQ2Ss0eNoNCT1AhxKkc0eqBRd3Mt attacker';
    expect((await k.call(`${V}/profile/sshKeys`, { method: 'POST', auth: key, json: { publicKey: sshKey } })).status).toBe(403);
    expect((await k.call(`${V}/profile/apiKey`, { method: 'PUT', auth: key })).status).toBe(403);
    expect((await k.call(`${V}/profile/apiKey`, { method: 'DELETE', auth: key })).status).toBe(403);
    expect((await k.call(`${A}/security/apiKey`, { method: 'DELETE', auth: key })).status).toBe(403);
    expect((await k.call(`${V}/profile`, { auth: ana })).json.email).toBe('ana@old.example');
    // The password can: and the old address hears of the new one.
    const changed = await k.call(`${V}/profile`, { method: 'PATCH', auth: ana, json: { email: 'ana@new.example' } });
    expect(changed.status).toBe(200);
    const notices = await k.sql(`select recipient, subject from outbox where recipient = 'ana@old.example'`);
    expect(notices).toEqual([{ recipient: 'ana@old.example', subject: 'Your Keyfob e-mail address was changed' }]);
  });

  it('changes the e-mail from a session only while it is unlocked', async () => {
    const token = await signIn('ben', 'ben-Password-1');
    expect((await k.call(`${V}/profile`, { method: 'PATCH', auth: { bearer: token }, json: { email: 'ben@example.com' } })).status).toBe(200);
    await k.call(`${V}/session/lock`, { method: 'POST', auth: { bearer: token } });
    const locked = await k.call(`${V}/profile`, { method: 'PATCH', auth: { bearer: token }, json: { email: 'other@example.com' } });
    expect(code(locked)).toBe('UNLOCK_REQUIRED');
  });

  it('needs an unlock, not just a session, for admin changes', async () => {
    const token = await signIn('cat', 'cat-Password-1');
    const bearer = { bearer: token };
    await k.call(`${V}/session/lock`, { method: 'POST', auth: bearer });
    // Reads are fine while locked…
    expect((await k.call(`${A}/security/users`, { auth: bearer })).status).toBe(200);
    // …but no password set, no admin made, no key revoked, no unlock, no policy changed.
    const refused = [
      await k.call(`${A}/security/users/dev`, { method: 'POST', auth: bearer, json: { password: 'stolen-Password-9' } }),
      await k.call(`${A}/security/users/mallory`, { method: 'PUT', auth: bearer, json: { password: 'mallory-Password-1', admin: true, email: 'm@x.example' } }),
      await k.call(`${A}/security/users/dev`, { method: 'POST', auth: bearer, json: { admin: true } }),
      await k.call(`${A}/security/users/authorization/changePassword`, {
        method: 'POST',
        auth: bearer,
        json: { userName: 'dev', newPassword1: 'stolen-Password-9', newPassword2: 'stolen-Password-9' },
      }),
      await k.call(`${A}/security/apiKey/dev`, { method: 'DELETE', auth: bearer }),
      await k.call(`${A}/security/apiKey?deleteAll=1`, { method: 'DELETE', auth: bearer }),
      await k.call(`${A}/security/userLockPolicy`, { method: 'PUT', auth: bearer, json: { enabled: true, loginAttempts: 1 } }),
      await k.call(`${A}/security/users/authorization/expirePassword/dev`, { method: 'POST', auth: bearer }),
      await k.call(`${A}/security/users/dev`, { method: 'DELETE', auth: bearer }),
    ];
    for (const reply of refused) expect(code(reply)).toBe('UNLOCK_REQUIRED');
    expect((await k.call(`${V}/profile`, { auth: { basic: ['dev', 'dev-Password-1'] } })).json.admin).toBe(false);
    expect((await k.call(`${A}/security/users/mallory`, { auth: admin })).status).toBe(404);
    // Unlocked, the same session may.
    await k.call(`${V}/session/unlock`, { method: 'POST', auth: bearer, json: { password: 'cat-Password-1' } });
    expect((await k.call(`${A}/security/users/authorization/expirePassword/dev`, { method: 'POST', auth: bearer })).status).toBe(200);
    // A new password from the admin ends the expiry.
    await k.call(`${A}/security/users/dev`, { method: 'POST', auth: bearer, json: { password: 'dev-Password-2' } });
  });

  it("does not let an admin's own API key change the admin's own password or e-mail", async () => {
    const cat = { basic: ['cat', 'cat-Password-1'] as [string, string] };
    const apiKey = (await k.call(`${A}/security/apiKey`, { method: 'POST', auth: cat })).json.apiKey as string;
    const own = await k.call(`${A}/security/users/cat`, { method: 'POST', auth: { apiKey }, json: { password: 'taken-Password-9' } });
    expect(own.status).toBe(403);
    expect((await k.call(`${A}/security/users/cat`, { method: 'POST', auth: { apiKey }, json: { email: 'evil@x.example' } })).status).toBe(403);
    // Other users are the admin key's to manage, as in Artifactory.
    expect((await k.call(`${A}/security/users/eve`, { method: 'POST', auth: { apiKey }, json: { email: 'eve@example.com' } })).status).toBe(200);
    expect((await k.call(`${V}/profile`, { auth: cat })).status).toBe(200);
  });

  it('refuses admin changes to an HTTP SSO session that was never unlocked', async () => {
    await k.call(`${A}/security/users/sso-admin`, { method: 'PUT', auth: admin, json: { realm: 'http-sso', admin: true, email: 's@x.example' } });
    const sso = await k.call(`${V}/session/sso`, { method: 'POST', headers: { 'remote-user': 'sso-admin' } });
    expect(sso.status).toBe(200);
    const bearer = { bearer: sso.json.token as string };
    expect((await k.call(`${A}/security/users`, { auth: bearer })).status).toBe(200);
    expect((await k.call(`${A}/security/users/eve`, { method: 'POST', auth: bearer, json: { admin: true } })).status).toBe(403);
    // The same through the proxy's header on each request.
    expect((await k.call(`${A}/security/users/eve`, { method: 'POST', headers: { 'remote-user': 'sso-admin' }, json: { admin: true } })).status).toBe(403);
    expect((await k.call(`${V}/profile`, { auth: { basic: ['eve', 'eve-Password-1'] } })).json.admin).toBe(false);
  });

  it('ends the password, its cached check and AP1 at once when the password is disabled or the realm changes', async () => {
    const gus = { basic: ['gus', 'gus-Password-1'] as [string, string] };
    expect((await k.call(`${A}/system/version`, { auth: gus })).status).toBe(200); // now in the password cache
    const ap1 = (await k.call(`${A}/security/encryptedPassword`, { auth: gus })).text;
    expect((await k.call(`${A}/system/version`, { auth: { basic: ['gus', ap1] } })).status).toBe(200);
    await k.call(`${A}/security/users/gus`, { method: 'POST', auth: admin, json: { internalPasswordDisabled: true } });
    expect((await k.call(`${A}/system/version`, { auth: gus })).status).toBe(401);
    expect((await k.call(`${A}/system/version`, { auth: { basic: ['gus', ap1] } })).status).toBe(401);
    await k.call(`${A}/security/users/gus`, { method: 'POST', auth: admin, json: { internalPasswordDisabled: false } });
    await k.advance(2_000);
    expect((await k.call(`${A}/system/version`, { auth: gus })).status).toBe(200);
    // Moved to a directory's realm: the Keyfob password left behind is no way in.
    await k.call(`${A}/security/users/gus`, { method: 'POST', auth: admin, json: { realm: 'ldap' } });
    expect((await k.call(`${A}/system/version`, { auth: gus })).status).toBe(401);
    expect((await k.call(`${A}/system/version`, { auth: { basic: ['gus', ap1] } })).status).toBe(401);
    await k.advance(4_000);
  });

  it('keeps a user whose profile is not updatable from adding SSH keys or changing the e-mail', async () => {
    const fay = { basic: ['fay', 'fay-Password-1'] as [string, string] };
    const sshKey = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGmMNCFDsAOmlmJkQQ2Ss0eNoNCT1AhxKkc0eqBRd3Mt fay';
    const added = await k.call(`${V}/profile/sshKeys`, { method: 'POST', auth: fay, json: { publicKey: sshKey } });
    expect(added.status).toBe(403);
    expect(added.json.errors[0].message).toMatch(/does not let you change your profile/);
    expect((await k.call(`${V}/profile`, { method: 'PATCH', auth: fay, json: { email: 'fay@x.example' } })).status).toBe(403);
    expect((await k.call(`${V}/profile/sshKeys`, { auth: fay })).json.keys ?? []).toEqual([]);
  });

  it('enforces disableUIAccess: no sessions for the interface, the REST API still works', async () => {
    const token = await signIn('eve', 'eve-Password-1');
    await k.call(`${A}/security/users/eve`, { method: 'POST', auth: admin, json: { disableUIAccess: true } });
    const refused = await k.call(`${V}/session`, { method: 'POST', json: { username: 'eve', password: 'eve-Password-1' } });
    expect(refused.status).toBe(403);
    expect(refused.json.errors[0].message).toMatch(/REST API/);
    expect((await k.call(`${V}/profile`, { auth: { bearer: token } })).status).toBe(403);
    expect((await k.call(`${A}/system/version`, { auth: { basic: ['eve', 'eve-Password-1'] } })).status).toBe(200);
    await k.call(`${A}/security/users/eve`, { method: 'POST', auth: admin, json: { disableUIAccess: false } });
  });

  it('ends a session at its maximum age however much it is used', async () => {
    const token = await signIn('ben', 'ben-Password-1');
    const bearer = { bearer: token };
    // Used every six hours for 30 days: the idle limit (12 h) never ends it…
    for (let hours = 6; hours < 30 * 24; hours += 6) {
      await k.advance(6 * 60 * 60_000);
      expect((await k.call(`${V}/profile`, { auth: bearer })).status).toBe(200);
    }
    // …the thirtieth day does.
    await k.advance(6 * 60 * 60_000);
    const ended = await k.call(`${V}/profile`, { auth: bearer });
    expect(ended.status).toBe(401);
    expect(ended.json.errors[0].message).toMatch(/maximum age/);
  });
});
