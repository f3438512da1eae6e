import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readError } from '../../shared/errors';
import { ADMIN, startKeyfob, type RunningKeyfob, type Reply } from '../helpers/keyfob';

const admin = { basic: [ADMIN.name, ADMIN.password] as [string, string] };
const USERS = '/artifactory/api/security/users';

/** Every row of every table Keyfob keeps (audit events aside: refusals may be recorded). */
async function snapshot(k: RunningKeyfob) {
  const tables = ['users', 'api_keys', 'sessions', 'settings'];
  return Object.fromEntries(await Promise.all(tables.map(async (t) => [t, await k.sql(`select * from ${t} order by 1`)])));
}

function expectClientError(reply: Reply, status?: number) {
  expect(reply.status, reply.text).toBeGreaterThanOrEqual(400);
  expect(reply.status, reply.text).toBeLessThan(500);
  if (status) expect(reply.status, reply.text).toBe(status);
  const error = readError(reply.json);
  expect(error, reply.text).not.toBeNull();
  expect(error!.status).toBe(reply.status);
  expect(error!.message.length).toBeGreaterThan(0);
}

describe('bad input gets a clear 4xx in the error shape, never a 500, and changes nothing', () => {
  let k: RunningKeyfob;
  let before: Awaited<ReturnType<typeof snapshot>>;
  beforeAll(async () => {
    k = await startKeyfob({ KEYFOB_BODY_LIMIT_BYTES: '4096' });
    await k.createUser('pat', 'pat-Password-1');
    await k.call('/artifactory/api/security/apiKey', { method: 'POST', auth: { basic: ['pat', 'pat-Password-1'] } });
    before = await snapshot(k);
  });
  afterAll(async () => {
    expect(await snapshot(k)).toEqual(before);
    await k.close();
  });

  it('malformed JSON, JSON of the wrong shape, and missing fields', async () => {
    const put = (body: string) => k.call(`${USERS}/newbie`, { method: 'PUT', auth: admin, body, headers: { 'content-type': 'application/json' } });
    expectClientError(await put('{"email": "a@b.example", "password": '), 400);
    expectClientError(await put('[1,2,3]'), 400);
    expectClientError(await put('"just a string"'), 400);
    expectClientError(await put('{}'), 400);
    expectClientError(await put('{"email": 42, "password": "abcdefgh1"}'), 400);
    expectClientError(await put('{"email": "a@b.example", "password": "abcdefgh1", "admin": "yes"}'), 400);
    expectClientError(await put('{"email": "a@b.example", "password": "abcdefgh1", "realm": "martian"}'), 400);
    expectClientError(await k.call('/api/v1/session', { method: 'POST', json: { username: 'pat' } }), 400);
    expectClientError(await k.call('/api/v1/session', { method: 'POST', json: null }), 400);
    expectClientError(
      await k.call('/artifactory/api/security/users/authorization/changePassword', { method: 'POST', auth: admin, json: { userName: 'pat' } }),
      400,
    );
    expectClientError(await k.call('/artifactory/api/security/unlockUsers', { method: 'POST', auth: admin, json: { names: ['pat'] } }), 400);
  });

  it('a body that is not JSON, or none where one is required', async () => {
    const form = await k.call(`${USERS}/newbie`, {
      method: 'PUT',
      auth: admin,
      body: 'email=a@b.example',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expectClientError(form, 415);
    expectClientError(
      await k.call(`${USERS}/newbie`, { method: 'PUT', auth: admin, body: '{"email":"a@b.example"}', headers: { 'content-type': 'text/plain' } }),
      415,
    );
    expectClientError(await k.call(`${USERS}/newbie`, { method: 'PUT', auth: admin }), 400);
  });

  it('a body over the size limit', async () => {
    const huge = JSON.stringify({ email: 'a@b.example', password: 'x'.repeat(10_000) });
    expectClientError(await k.call(`${USERS}/newbie`, { method: 'PUT', auth: admin, body: huge, headers: { 'content-type': 'application/json' } }), 413);
    const chunked = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(huge));
        controller.close();
      },
    });
    const res = await fetch(`${k.url}${USERS}/newbie`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Basic ${btoa(`${ADMIN.name}:${ADMIN.password}`)}` },
      body: chunked,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
  });

  it('unknown users, and user names of 10,000 characters or odd Unicode', async () => {
    expectClientError(await k.call(`${USERS}/nobody`, { auth: admin }), 404);
    const long = 'a'.repeat(10_000);
    expectClientError(await k.call(`${USERS}/${long}`, { auth: admin }), 404);
    expectClientError(await k.call(`${USERS}/${long}`, { method: 'PUT', auth: admin, json: { email: 'a@b.example', password: 'abcdefgh1' } }), 400);
    expectClientError(await k.call(`/artifactory/api/security/apiKey/${long}`, { method: 'DELETE', auth: admin }), 404);
    for (const odd of ['\u202Eevil', 'a\u0000b', '👩‍💻', 'a\u200Bb', ' padded ', '.hidden', '\uFFFF', 'ﷺ'.repeat(70)]) {
      const path = `${USERS}/${encodeURIComponent(odd)}`;
      expectClientError(await k.call(path, { method: 'PUT', auth: admin, json: { email: 'a@b.example', password: 'abcdefgh1' } }), 400);
      expectClientError(await k.call(path, { auth: admin }), 404);
      expectClientError(await k.call('/artifactory/api/system/version', { auth: { basic: [odd, 'whatever-password'] } }), 401);
      expectClientError(await k.call('/api/v1/session', { method: 'POST', json: { username: odd, password: 'x' } }));
      await k.advance(60_000);
    }
    expectClientError(await k.call(`${USERS}/%E0%A4%A`, { auth: admin }));
  });

  it('broken credentials headers', async () => {
    for (const raw of [
      'Basic',
      'Basic !!!not-base64!!!',
      `Basic ${btoa('no-colon-here')}`,
      `Basic ${btoa(':password-without-user')}`,
      'Basic //79/w==', // bytes that are not UTF-8
      `Basic ${'A'.repeat(10_000)}`,
      'Bearer',
      'Bearer kfs_not-a-real-session',
      'Digest username="pat"',
      'Negotiate abc',
    ]) {
      const reply = await k.call('/artifactory/api/system/version', { auth: { raw } });
      expectClientError(reply, 401);
      expect(reply.headers.get('www-authenticate')).toBe('Basic realm="Artifactory Realm"');
    }
    for (const apiKey of [' ', 'AKCp', `AKCp${'x'.repeat(69)}`, 'x'.repeat(9000), `AKCp${'é'.repeat(69)}`]) {
      const res = await fetch(`${k.url}/artifactory/api/system/version`, { headers: { 'X-JFrog-Art-Api': encodeURIComponent(apiKey) } });
      expect(res.status).toBe(401);
    }
  });

  it('unknown paths and methods', async () => {
    expectClientError(await k.call('/artifactory/api/nothing-here', { auth: admin }), 404);
    expectClientError(await k.call('/artifactory/api/security/apikey', { auth: admin }), 404); // paths are case-sensitive
    const patch = await k.call('/artifactory/api/system/ping', { method: 'PATCH' });
    expect(patch.status).toBeGreaterThanOrEqual(400);
    expect(patch.status).toBeLessThan(500);
  });

  it("bad input to the calls JFrog's clients make (usage, policies, groups, expiry)", async () => {
    const post = (path: string, body: string) => k.call(path, { method: 'POST', auth: admin, body, headers: { 'content-type': 'application/json' } });
    for (const body of ['[1]', '"usage"', '{"features": "all"}', '{"features": [1]}', '{"productId": 7}', '{"features": [{"featureId": {}}]}', '{']) {
      expectClientError(await post('/artifactory/api/system/usage', body), 400);
    }
    expectClientError(
      await k.call('/artifactory/api/system/usage', { method: 'POST', body: 'productId=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
      415,
    );
    const put = (path: string, body: unknown) => k.call(path, { method: 'PUT', auth: admin, json: body });
    for (const body of [
      { enabled: true, loginAttempts: 0 },
      { enabled: true, loginAttempts: 101 },
      { enabled: false, loginAttempts: -1 },
      { enabled: null, loginAttempts: 5 },
      [],
    ]) {
      expectClientError(await put('/artifactory/api/security/userLockPolicy', body), 400);
    }
    for (const body of [{ enabled: true, passwordMaxAge: 0 }, { passwordMaxAge: 1e9 }, { notifyByEmail: 'true' }, 'x']) {
      expectClientError(await put('/artifactory/api/security/configuration/passwordExpirationPolicy', body), 400);
    }
    for (const body of ['{"names": ["pat"]}', '[null]', '"pat"', `[${'"a",'.repeat(20_000)}"a"]`]) {
      const reply = await post('/artifactory/api/security/users/authorization/expirePassword', body);
      expect(reply.status, reply.text).toBeGreaterThanOrEqual(400);
      expect(reply.status, reply.text).toBeLessThan(500);
    }
    const long = 'g'.repeat(10_000);
    for (const name of [long, encodeURIComponent('\u202Eevil'), '%E0%A4%A']) {
      const reply = await k.call(`/artifactory/api/security/groups/${name}?includeUsers=maybe`, { auth: admin });
      expect(reply.status, reply.text).toBeGreaterThanOrEqual(400);
      expect(reply.status, reply.text).toBeLessThan(500);
    }
    expectClientError(await k.call(`/artifactory/api/security/apiKey/${long}`, { auth: admin }), 404);
    expectClientError(await k.call(`/artifactory/api/security/users/authorization/unexpirePassword/${long}`, { method: 'POST', auth: admin }), 404);
    expect((await k.call(`/artifactory/api/security/unlockUsers/${encodeURIComponent('\u0000 odd name')}`, { method: 'POST', auth: admin })).status).toBe(200);
    expectClientError(await k.call('/artifactory/api/security/lockedUsers', { auth: { basic: ['pat', 'pat-Password-1'] } }), 403);
  });

  it('leaves nothing secret in error messages', async () => {
    const reply = await k.call('/artifactory/api/system/version', { auth: { basic: ['pat', 'my-Secret-Guess-42'] } });
    expect(reply.text).not.toContain('my-Secret-Guess-42');
    await k.advance(60_000);
  });
});
