/** LDAP sign-in against a real slapd: by DN template and by search with a service account; the directory down. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startKeyfob, type RunningKeyfob } from '../helpers/keyfob';
import { hasSlapd, LDAP_PEOPLE, LDAP_READER, LDAP_SUFFIX, startSlapd, type RunningSlapd } from '../helpers/slapd';

const [lena, otto] = LDAP_PEOPLE as [(typeof LDAP_PEOPLE)[0], (typeof LDAP_PEOPLE)[0]];
const admin = { basic: [ADMIN.name, ADMIN.password] as [string, string] };
const signIn = (k: RunningKeyfob, username: string, password: string) => k.call('/api/v1/session', { method: 'POST', json: { username, password } });

describe.runIf(hasSlapd)('LDAP sign-in', () => {
  let slapd: RunningSlapd;
  let byTemplate: RunningKeyfob;
  let bySearch: RunningKeyfob;
  beforeAll(async () => {
    slapd = await startSlapd();
    byTemplate = await startKeyfob({
      LDAP_URL: slapd.url,
      LDAP_USER_DN_TEMPLATE: `uid={user},ou=people,${LDAP_SUFFIX}`,
      LDAP_CREATE_USERS: 'true',
      LDAP_TIMEOUT_MS: '1500',
    });
    bySearch = await startKeyfob({
      LDAP_URL: slapd.url,
      LDAP_SEARCH_BASE: `ou=people,${LDAP_SUFFIX}`,
      LDAP_SEARCH_FILTER: '(&(objectClass=inetOrgPerson)(uid={user}))',
      LDAP_BIND_DN: LDAP_READER.dn,
      LDAP_BIND_PASSWORD: LDAP_READER.password,
      LDAP_CREATE_USERS: 'true',
    });
  });
  afterAll(async () => {
    await byTemplate?.close();
    await bySearch?.close();
    await slapd?.remove();
  });

  it('signs a directory user in by binding as them, and makes their ldap user with the email from the directory', async () => {
    const reply = await signIn(byTemplate, lena.uid, lena.password);
    expect(reply.status).toBe(200);
    expect(reply.json.profile).toMatchObject({ name: 'lena', realm: 'ldap', email: lena.mail, canChangePassword: false });
    expect((await byTemplate.call('/artifactory/api/system/version', { auth: { basic: [lena.uid, lena.password] } })).status).toBe(200);
  });

  it('refuses a wrong password, an unknown user, an empty password and filter or DN injection, all as bad credentials', async () => {
    for (const [name, password] of [
      [lena.uid, 'wrong-Pass-1'],
      ['nobody', 'whatever-Pass-1'],
      [otto.uid, ''],
      ['*', otto.password],
      ['otto,ou=people', otto.password],
    ] as const) {
      await byTemplate.advance(61_000);
      const reply = await signIn(byTemplate, name, password);
      expect(reply.status, `${name}`).toBe(401);
      expect(reply.json.errors[0].code).toBe('BAD_CREDENTIALS');
    }
    await bySearch.advance(61_000);
    expect((await signIn(bySearch, '*', otto.password)).status).toBe(401);
    expect((await signIn(bySearch, `${otto.uid})(uid=*`, otto.password)).status).toBe(401);
  });

  it('finds users by a search with a service account', async () => {
    const reply = await signIn(bySearch, otto.uid, otto.password);
    expect(reply.status).toBe(200);
    expect(reply.json.profile).toMatchObject({ name: 'otto', realm: 'ldap', email: otto.mail });
  });

  it('never signs a directory user into a local account of the same name', async () => {
    await byTemplate.createUser('otto', 'local-Otto-Pass-1');
    await byTemplate.advance(61_000);
    // The local otto is internal: the directory is not asked, and the directory's password is wrong here.
    expect((await signIn(byTemplate, otto.uid, otto.password)).status).toBe(401);
    await byTemplate.advance(61_000);
    expect((await signIn(byTemplate, otto.uid, 'local-Otto-Pass-1')).status).toBe(200);
  });

  it('says plainly when the directory is down, counts nothing, and local users still sign in', async () => {
    const failures = () => byTemplate.sql("select failures from login_failures where name_key = 'lena'");
    const before = await failures();
    await slapd.stop();
    try {
      await byTemplate.advance(61_000);
      const reply = await signIn(byTemplate, lena.uid, lena.password);
      expect(reply.status).toBe(503);
      expect(reply.json.errors[0].message).toBe('The directory (LDAP) cannot be reached: try again later');
      expect(await failures()).toEqual(before);
      expect((await signIn(byTemplate, ADMIN.name, ADMIN.password)).status).toBe(200);
    } finally {
      await slapd.start();
    }
    expect((await signIn(byTemplate, lena.uid, lena.password)).status).toBe(200);
  });

  it('speaks TLS when the URL says ldaps://, trusting the CA it is given and no other', async () => {
    const trusting = await startKeyfob({
      LDAP_URL: slapd.tlsUrl,
      LDAP_CA_FILE: slapd.caFile,
      LDAP_USER_DN_TEMPLATE: `uid={user},ou=people,${LDAP_SUFFIX}`,
      LDAP_CREATE_USERS: 'true',
    });
    const wary = await startKeyfob({
      LDAP_URL: slapd.tlsUrl,
      LDAP_USER_DN_TEMPLATE: `uid={user},ou=people,${LDAP_SUFFIX}`,
      LDAP_CREATE_USERS: 'true',
      LDAP_TIMEOUT_MS: '2000',
    });
    try {
      expect((await signIn(trusting, otto.uid, otto.password)).status).toBe(200);
      // A certificate from a CA it was not told to trust: the directory is not reached, and nobody signs in.
      const refused = await signIn(wary, otto.uid, otto.password);
      expect(refused.status).toBe(503);
    } finally {
      await trusting.close();
      await wary.close();
    }
  });

  it('cannot change an LDAP password in Keyfob', async () => {
    const reply = await byTemplate.call('/api/v1/profile/password', {
      method: 'POST',
      auth: { basic: [lena.uid, lena.password] },
      json: { oldPassword: lena.password, newPassword1: 'new-Pass-word-1', newPassword2: 'new-Pass-word-1' },
    });
    expect(reply.status).toBe(403);
    expect(reply.json.errors[0].code).toBe('EXTERNAL_REALM');
    expect((await byTemplate.call('/artifactory/api/security/users/lena', { auth: admin })).json.realm).toBe('ldap');
  });
});
