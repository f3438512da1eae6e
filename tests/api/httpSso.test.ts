/** HTTP SSO: the trusted proxy's header is believed from the proxy's address and ignored from anyone else. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startKeyfob, type RunningKeyfob } from '../helpers/keyfob';

const VERSION = '/artifactory/api/system/version';
const admin = { basic: [ADMIN.name, ADMIN.password] as [string, string] };

describe('HTTP SSO from a trusted proxy', () => {
  let k: RunningKeyfob;
  beforeAll(async () => {
    // The test's requests come from 127.0.0.1: here that is the trusted proxy.
    k = await startKeyfob({ HTTP_SSO_HEADER: 'REMOTE_USER', HTTP_SSO_TRUSTED_PROXIES: '127.0.0.1,::1', HTTP_SSO_CREATE_USERS: 'true' });
    await k.createUser('sid', 'sid-Password-1', { realm: 'http-sso', keysWithoutUnlock: true });
  });
  afterAll(() => k.close());

  it('says single sign-on is on', async () => {
    expect((await k.call('/api/v1/authMethods')).json).toEqual({ password: true, httpSso: true });
  });

  it('accepts the header, and makes a user of realm http-sso on first sight', async () => {
    const reply = await k.call(VERSION, { headers: { 'remote-user': 'sam' } });
    expect(reply.status).toBe(200);
    const sam = await k.call('/artifactory/api/security/users/sam', { auth: admin });
    expect(sam.json).toMatchObject({ name: 'sam', realm: 'http-sso', internalPasswordDisabled: true });
  });

  it('never signs into an account of another realm by its name', async () => {
    const reply = await k.call(VERSION, { headers: { 'remote-user': 'admin' } });
    expect(reply.status).toBe(401);
    expect(reply.json.errors[0].message).toMatch(/not a user of the http-sso realm/);
  });

  it('signs the extension in; secrets only with the admin flag, as there is no password to unlock with', async () => {
    const sam = await k.call('/api/v1/session/sso', { method: 'POST', headers: { 'remote-user': 'sam' } });
    expect(sam.status).toBe(200);
    expect(sam.json.profile).toMatchObject({ name: 'sam', realm: 'http-sso', unlocked: false, canChangePassword: false });
    expect((await k.call('/api/v1/profile/apiKey', { auth: { bearer: sam.json.token } })).json.errors[0].code).toBe('UNLOCK_REQUIRED');

    const sid = await k.call('/api/v1/session/sso', { method: 'POST', headers: { 'remote-user': 'sid' } });
    expect(sid.json.profile).toMatchObject({ name: 'sid', unlocked: true, keysWithoutUnlock: true });
    expect((await k.call('/api/v1/profile/apiKey', { method: 'POST', auth: { bearer: sid.json.token } })).status).toBe(200);
  });

  it('refuses the SSO sign-in without the header', async () => {
    expect((await k.call('/api/v1/session/sso', { method: 'POST' })).status).toBe(401);
  });
});

describe('HTTP SSO from an address that is not the proxy', () => {
  let k: RunningKeyfob;
  beforeAll(async () => {
    k = await startKeyfob({ HTTP_SSO_HEADER: 'REMOTE_USER', HTTP_SSO_TRUSTED_PROXIES: '10.9.9.9', HTTP_SSO_CREATE_USERS: 'true' });
    await k.createUser('sid', 'sid-Password-1', { realm: 'http-sso' });
  });
  afterAll(() => k.close());

  it('ignores the header as if it were not there', async () => {
    const reply = await k.call(VERSION, { headers: { 'remote-user': 'sid' } });
    expect(reply.status).toBe(401);
    expect(reply.json.errors[0].code).toBe('UNAUTHENTICATED');
    expect((await k.call('/api/v1/session/sso', { method: 'POST', headers: { 'remote-user': 'sid' } })).status).toBe(401);
    expect((await k.call('/artifactory/api/security/users/nobody-made', { auth: { basic: [ADMIN.name, ADMIN.password] } })).status).toBe(404);
  });
});
