import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENCRYPTED_PASSWORD_PATTERN } from '../../shared/formats';
import { ADMIN, startKeyfob, type RunningKeyfob } from '../helpers/keyfob';

const ENCRYPTED = '/artifactory/api/security/encryptedPassword';
const CHANGE = '/artifactory/api/security/users/authorization/changePassword';
const VERSION = '/artifactory/api/system/version';
const KEY = '/artifactory/api/security/apiKey';
const USERS = '/artifactory/api/security/users';
const admin = { basic: [ADMIN.name, ADMIN.password] as [string, string] };

describe('encrypted password', () => {
  let k: RunningKeyfob;
  beforeAll(async () => {
    k = await startKeyfob();
    await k.createUser('dana', 'dana-Password-1');
  });
  afterAll(() => k.close());

  it('is fetched with the clear password as text, stays the same, and works as a Basic password', async () => {
    const first = await k.call(ENCRYPTED, { auth: { basic: ['dana', 'dana-Password-1'] } });
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(first.text).toMatch(ENCRYPTED_PASSWORD_PATTERN);
    expect(first.text.startsWith('AP1')).toBe(true);
    const second = await k.call(ENCRYPTED, { auth: { basic: ['dana', 'dana-Password-1'] } });
    expect(second.text).toBe(first.text);
    expect((await k.call(VERSION, { auth: { basic: ['dana', first.text] } })).status).toBe(200);
    expect((await k.call(VERSION, { auth: { basic: [ADMIN.name, first.text] } })).status).toBe(401);
  });

  it('asked with an API key, returns the encrypted form of the key, which works as a password', async () => {
    const { apiKey } = (await k.call(KEY, { method: 'POST', auth: { basic: ['dana', 'dana-Password-1'] } })).json;
    const reply = await k.call(ENCRYPTED, { auth: { apiKey } });
    expect(reply.status).toBe(200);
    expect(reply.text).toMatch(/^AP2[A-Za-z0-9]{8,}$/);
    expect((await k.call(VERSION, { auth: { basic: ['dana', reply.text] } })).status).toBe(200);
    // Dead once the key is regenerated.
    expect((await k.call(KEY, { method: 'PUT', auth: { basic: ['dana', reply.text] } })).status).toBe(403);
    await k.call(KEY, { method: 'PUT', auth: { basic: ['dana', 'dana-Password-1'] } });
    expect((await k.call(VERSION, { auth: { basic: ['dana', reply.text] } })).status).toBe(401);
    await k.advance(2_000); // that stale secret counted as a failed sign-in: wait out its delay
  });

  it('is refused to a session token or the encrypted password itself', async () => {
    const encrypted = (await k.call(ENCRYPTED, { auth: { basic: ['dana', 'dana-Password-1'] } })).text;
    expect((await k.call(ENCRYPTED, { auth: { basic: ['dana', encrypted] } })).status).toBe(403);
    const session = await k.call('/api/v1/session', { method: 'POST', json: { username: 'dana', password: 'dana-Password-1' } });
    expect((await k.call(ENCRYPTED, { auth: { bearer: session.json.token } })).status).toBe(403);
  });

  it('dies when the password changes, while the API key keeps working', async () => {
    const encrypted = (await k.call(ENCRYPTED, { auth: { basic: ['dana', 'dana-Password-1'] } })).text;
    const { apiKey } = (await k.call(KEY, { auth: { basic: ['dana', 'dana-Password-1'] } })).json;
    const changed = await k.call(CHANGE, {
      method: 'POST',
      auth: { basic: ['dana', 'dana-Password-1'] },
      json: { userName: 'dana', oldPassword: 'dana-Password-1', newPassword1: 'dana-Password-2', newPassword2: 'dana-Password-2' },
    });
    expect(changed.status).toBe(200);
    expect(changed.text).toMatch(/successfully/);
    expect((await k.call(VERSION, { auth: { basic: ['dana', encrypted] } })).status).toBe(401);
    await k.advance(2_000); // each failure raises a delay: wait it out before the next attempt
    expect((await k.call(VERSION, { auth: { basic: ['dana', 'dana-Password-1'] } })).status).toBe(401);
    await k.advance(4_000);
    expect((await k.call(VERSION, { auth: { basic: ['dana', 'dana-Password-2'] } })).status).toBe(200);
    expect((await k.call(VERSION, { auth: { apiKey } })).status).toBe(200);
    const fresh = (await k.call(ENCRYPTED, { auth: { basic: ['dana', 'dana-Password-2'] } })).text;
    expect(fresh).not.toBe(encrypted);
    expect((await k.call(VERSION, { auth: { basic: ['dana', fresh] } })).status).toBe(200);
  });
});

describe('change password', () => {
  let k: RunningKeyfob;
  beforeAll(async () => {
    k = await startKeyfob();
    await k.createUser('erin', 'erin-Password-1');
    await k.createUser('finn', 'finn-Password-1');
    await k.createUser('lara', 'x', { realm: 'ldap', password: undefined });
  });
  afterAll(() => k.close());
  const erin = { basic: ['erin', 'erin-Password-1'] as [string, string] };
  const change = (auth: any, body: object) => k.call(CHANGE, { method: 'POST', auth, json: body });

  it("refuses a mismatch, a short password, another user's password, and a wrong old password", async () => {
    const mismatch = await change(erin, { userName: 'erin', oldPassword: 'erin-Password-1', newPassword1: 'erin-Password-9', newPassword2: 'erin-Password-8' });
    expect(mismatch.status).toBe(400);
    expect(mismatch.json.errors[0].message).toMatch(/do not match/);
    expect((await change(erin, { userName: 'erin', oldPassword: 'erin-Password-1', newPassword1: 'short', newPassword2: 'short' })).status).toBe(400);
    expect((await change(erin, { userName: 'finn', newPassword1: 'finn-Password-9', newPassword2: 'finn-Password-9' })).status).toBe(403);
    const wrongOld = await change(erin, { userName: 'erin', oldPassword: 'nope-nope-nope', newPassword1: 'erin-Password-9', newPassword2: 'erin-Password-9' });
    expect(wrongOld.status).toBe(403);
    expect(wrongOld.json.errors[0].message).toMatch(/old password/);
    await k.advance(2_000); // a wrong old password counts as a failed sign-in
    expect((await change(erin, { userName: 'erin', newPassword1: 'erin-Password-9', newPassword2: 'erin-Password-9' })).status).toBe(400);
  });

  it("lets an admin change anyone's password without the old one, and ends that user's sessions", async () => {
    const session = await k.call('/api/v1/session', { method: 'POST', json: { username: 'finn', password: 'finn-Password-1' } });
    expect(session.status).toBe(200);
    const reply = await change(admin, { userName: 'finn', newPassword1: 'finn-Password-2', newPassword2: 'finn-Password-2' });
    expect(reply.status).toBe(200);
    expect((await k.call('/api/v1/profile', { auth: { bearer: session.json.token } })).json.errors[0].code).toBe('SESSION_EXPIRED');
    expect((await k.call(VERSION, { auth: { basic: ['finn', 'finn-Password-2'] } })).status).toBe(200);
  });

  it('keeps the current session and ends the others when users change their own', async () => {
    const signIn = () => k.call('/api/v1/session', { method: 'POST', json: { username: 'erin', password: 'erin-Password-1' } });
    await k.advance(120_000);
    const current = (await signIn()).json.token;
    const other = (await signIn()).json.token;
    const reply = await change(
      { bearer: current },
      { userName: 'erin', oldPassword: 'erin-Password-1', newPassword1: 'erin-Password-2', newPassword2: 'erin-Password-2' },
    );
    expect(reply.status).toBe(200);
    expect((await k.call('/api/v1/profile', { auth: { bearer: current } })).status).toBe(200);
    expect((await k.call('/api/v1/profile', { auth: { bearer: other } })).status).toBe(401);
  });

  it('refuses users of an external realm: the Keyfob password left from before signs nobody in', async () => {
    await k.call(`${USERS}/lara`, { method: 'POST', auth: admin, json: { password: 'lara-Password-1' } });
    const reply = await change(
      { basic: ['lara', 'lara-Password-1'] },
      { userName: 'lara', oldPassword: 'lara-Password-1', newPassword1: 'lara-Password-2', newPassword2: 'lara-Password-2' },
    );
    expect(reply.status).toBe(401);
    expect(reply.json.errors[0].code).toBe('BAD_CREDENTIALS');
    await k.advance(2_000);
  });

  it('expires a password: password credentials are refused until it is changed, the API key still works', async () => {
    const finn = { basic: ['finn', 'finn-Password-2'] as [string, string] };
    const { apiKey } = (await k.call(KEY, { method: 'POST', auth: finn })).json;
    expect(
      (await k.call(`${USERS.replace('/users', '/users/authorization/expirePassword')}/finn`, { method: 'POST', auth: { basic: ['erin', 'erin-Password-2'] } }))
        .status,
    ).toBe(403);
    expect((await k.call('/artifactory/api/security/users/authorization/expirePassword/finn', { method: 'POST', auth: admin })).status).toBe(200);
    expect((await k.call('/artifactory/api/security/users/authorization/expirePassword/nobody', { method: 'POST', auth: admin })).status).toBe(404);
    const refused = await k.call(VERSION, { auth: finn });
    expect(refused.status).toBe(403);
    expect(refused.json.errors[0].code).toBe('PASSWORD_EXPIRED');
    expect((await k.call('/api/v1/session', { method: 'POST', json: { username: 'finn', password: 'finn-Password-2' } })).json.errors[0].code).toBe(
      'PASSWORD_EXPIRED',
    );
    expect((await k.call(VERSION, { auth: { apiKey } })).status).toBe(200);
    expect(
      (await change(finn, { userName: 'finn', oldPassword: 'finn-Password-2', newPassword1: 'finn-Password-3', newPassword2: 'finn-Password-3' })).status,
    ).toBe(200);
    expect((await k.call(VERSION, { auth: { basic: ['finn', 'finn-Password-3'] } })).status).toBe(200);
  });
});

describe('users (admin)', () => {
  let k: RunningKeyfob;
  beforeAll(async () => {
    k = await startKeyfob();
    await k.createUser('gus', 'gus-Password-1', { groups: ['readers'] });
  });
  afterAll(() => k.close());

  it('lists users with their uri and realm', async () => {
    const reply = await k.call(USERS, { auth: admin });
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual([
      { name: 'admin', uri: `${k.url}/artifactory/api/security/users/admin`, realm: 'internal' },
      { name: 'gus', uri: `${k.url}/artifactory/api/security/users/gus`, realm: 'internal' },
    ]);
    expect((await k.call(USERS, { auth: { basic: ['gus', 'gus-Password-1'] } })).status).toBe(403);
  });

  it('shows a user, never the password, to admins and to the user', async () => {
    const reply = await k.call(`${USERS}/GUS`, { auth: admin });
    expect(reply.status).toBe(200);
    expect(reply.json).toMatchObject({ name: 'gus', email: 'gus@example.com', admin: false, realm: 'internal', groups: ['readers'], profileUpdatable: true });
    expect(reply.text).not.toMatch(/password"|\$argon2/i);
    expect((await k.call(`${USERS}/gus`, { auth: { basic: ['gus', 'gus-Password-1'] } })).status).toBe(200);
    expect((await k.call(`${USERS}/admin`, { auth: { basic: ['gus', 'gus-Password-1'] } })).status).toBe(403);
    expect((await k.call(`${USERS}/nobody`, { auth: admin })).status).toBe(404);
  });

  it('creates with defaults, refuses a taken name in another case, replaces, updates and removes', async () => {
    const created = await k.call(`${USERS}/Hana`, { method: 'PUT', auth: admin, json: { email: 'hana@example.com', password: 'hana-Password-1' } });
    expect(created.status).toBe(201);
    const hana = (await k.call(`${USERS}/hana`, { auth: admin })).json;
    expect(hana).toMatchObject({ name: 'Hana', admin: false, realm: 'internal', groups: [], disableUIAccess: false, internalPasswordDisabled: false });

    const replaced = await k.call(`${USERS}/HANA`, { method: 'PUT', auth: admin, json: { email: 'h@example.com', groups: ['x'] } });
    expect(replaced.status).toBe(201);
    expect((await k.call(`${USERS}/hana`, { auth: admin })).json).toMatchObject({ name: 'Hana', email: 'h@example.com', groups: ['x'] });
    // Replacing without a password kept it.
    expect((await k.call(VERSION, { auth: { basic: ['hana', 'hana-Password-1'] } })).status).toBe(200);

    const updated = await k.call(`${USERS}/hana`, { method: 'POST', auth: admin, json: { admin: true } });
    expect(updated.status).toBe(200);
    expect((await k.call(`${USERS}/hana`, { auth: admin })).json).toMatchObject({ admin: true, email: 'h@example.com' });
    expect((await k.call(`${USERS}/nobody`, { method: 'POST', auth: admin, json: { admin: true } })).status).toBe(404);

    const removed = await k.call(`${USERS}/hana`, { method: 'DELETE', auth: admin });
    expect(removed.status).toBe(200);
    expect(removed.text).toBe("User 'Hana' has been removed successfully.");
    expect((await k.call(`${USERS}/hana`, { auth: admin })).status).toBe(404);
    expect((await k.call(VERSION, { auth: { basic: ['hana', 'hana-Password-1'] } })).status).toBe(401);
  });

  it('requires a password for new internal users, not for external ones, and keeps one admin', async () => {
    expect((await k.call(`${USERS}/ivan`, { method: 'PUT', auth: admin, json: { email: 'ivan@example.com' } })).status).toBe(400);
    expect((await k.call(`${USERS}/ivan`, { method: 'PUT', auth: admin, json: { email: 'ivan@example.com', realm: 'saml' } })).status).toBe(201);
    const demote = await k.call(`${USERS}/admin`, { method: 'POST', auth: admin, json: { admin: false } });
    expect(demote.status).toBe(400);
    expect(demote.json.errors[0].message).toMatch(/at least one admin/);
    expect((await k.call(`${USERS}/admin`, { method: 'DELETE', auth: admin })).status).toBe(400);
    expect((await k.call(`${USERS}/gus`, { method: 'PUT', auth: { basic: ['gus', 'gus-Password-1'] }, json: { email: 'g@example.com' } })).status).toBe(403);
  });
});
