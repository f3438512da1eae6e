import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY_PATTERN, NEW_API_KEY_PATTERN } from '../../shared/formats';
import { ADMIN, startKeyfob, type RunningKeyfob } from '../helpers/keyfob';

const KEY = '/artifactory/api/security/apiKey';
const VERSION = '/artifactory/api/system/version';
const A_USERS = '/artifactory/api/security/users';
const admin = { basic: [ADMIN.name, ADMIN.password] as [string, string] };

describe("Artifactory's API-key contract", () => {
  let k: RunningKeyfob;
  beforeAll(async () => {
    k = await startKeyfob();
    await k.createUser('alice', 'alice-Password-1');
    await k.createUser('bob', 'bob-Password-1');
  });
  afterAll(() => k.close());
  const alice = { basic: ['alice', 'alice-Password-1'] as [string, string] };
  const bob = { basic: ['bob', 'bob-Password-1'] as [string, string] };

  it('answers ping anonymously with text OK', async () => {
    const reply = await k.call('/artifactory/api/system/ping');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(reply.text).toBe('OK');
  });

  it('asks for credentials with the Artifactory challenge', async () => {
    const reply = await k.call(VERSION);
    expect(reply.status).toBe(401);
    expect(reply.headers.get('www-authenticate')).toBe('Basic realm="Artifactory Realm"');
    expect(reply.json).toEqual({ errors: [{ status: 401, message: 'Authentication is required', code: 'UNAUTHENTICATED' }] });
  });

  it('gives {} when the user has no key', async () => {
    const reply = await k.call(KEY, { auth: alice });
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({});
  });

  it('creates a key once, refuses a second create, and gets the same key back', async () => {
    const created = await k.call(KEY, { method: 'POST', auth: alice });
    expect(created.status).toBe(201); // Artifactory's status: jfrog-client-go accepts nothing else
    expect(created.json.apiKey).toMatch(API_KEY_PATTERN);
    expect(created.json.apiKey).toMatch(NEW_API_KEY_PATTERN);
    expect(created.json.apiKey).toMatch(/\bAKCp[A-Za-z0-9]{69}\b/); // gitleaks' artifactory-api-key rule

    const again = await k.call(KEY, { method: 'POST', auth: alice });
    expect(again.status).toBe(409);
    expect(again.json.errors[0].message).toMatch(/regenerate/i);

    const got = await k.call(KEY, { auth: alice });
    expect(got.json).toEqual({ apiKey: created.json.apiKey });
  });

  it('authenticates by the X-JFrog-Art-Api header and as a Basic password, and refuses it for another user', async () => {
    const { apiKey } = (await k.call(KEY, { auth: alice })).json;
    expect((await k.call(VERSION, { auth: { apiKey } })).status).toBe(200);
    const basic = await k.call(VERSION, { auth: { basic: ['alice', apiKey] } });
    expect(basic.status).toBe(200);
    expect(basic.json).toMatchObject({ version: expect.any(String), revision: expect.any(String), addons: [] });
    expect((await k.call(VERSION, { auth: { basic: ['bob', apiKey] } })).status).toBe(401);
    // The user name is compared case-insensitively.
    expect((await k.call(VERSION, { auth: { basic: ['ALICE', apiKey] } })).status).toBe(200);
  });

  it('regenerates: the old key gets 401 on its very next request, the new one works', async () => {
    const { apiKey: oldKey } = (await k.call(KEY, { auth: alice })).json;
    // As in Artifactory, the key cannot replace itself (nor can its encrypted form): a leaked key stays revocable.
    const byItself = await k.call(KEY, { method: 'PUT', auth: { apiKey: oldKey } });
    expect(byItself.status).toBe(403);
    expect(byItself.json.errors[0].message).toMatch(/API key (or token )?cannot/);
    expect((await k.call(KEY, { method: 'DELETE', auth: { basic: ['alice', oldKey] } })).status).toBe(403);
    expect((await k.call(VERSION, { auth: { apiKey: oldKey } })).status).toBe(200);
    const regenerated = await k.call(KEY, { method: 'PUT', auth: alice });
    expect(regenerated.status).toBe(200);
    const newKey = regenerated.json.apiKey;
    expect(newKey).toMatch(API_KEY_PATTERN);
    expect(newKey).not.toBe(oldKey);
    expect((await k.call(VERSION, { auth: { apiKey: oldKey } })).status).toBe(401);
    expect((await k.call(VERSION, { auth: { basic: ['alice', oldKey] } })).status).toBe(401);
    expect((await k.call(VERSION, { auth: { apiKey: newKey } })).status).toBe(200);
  });

  it('revokes: the key gets 401 afterwards', async () => {
    const { apiKey } = (await k.call(KEY, { auth: alice })).json;
    const revoked = await k.call(KEY, { method: 'DELETE', auth: alice });
    expect(revoked.status).toBe(200);
    expect(revoked.json).toEqual({ info: expect.any(String) });
    expect((await k.call(VERSION, { auth: { apiKey } })).status).toBe(401);
    expect((await k.call(KEY, { auth: alice })).json).toEqual({});
  });

  it("lets an admin revoke one user's key, and nobody else", async () => {
    const bobKey = (await k.call(KEY, { method: 'POST', auth: bob })).json.apiKey;
    const aliceKey = (await k.call(KEY, { method: 'PUT', auth: alice })).json.apiKey;

    const refused = await k.call(`${KEY}/bob`, { method: 'DELETE', auth: alice });
    expect(refused.status).toBe(403);
    expect(refused.json.errors[0]).toMatchObject({ status: 403 });
    expect((await k.call(VERSION, { auth: { apiKey: bobKey } })).status).toBe(200);

    expect((await k.call(`${KEY}/nobody`, { method: 'DELETE', auth: admin })).status).toBe(404);
    const revoked = await k.call(`${KEY}/bob`, { method: 'DELETE', auth: admin });
    expect(revoked.status).toBe(200);
    expect(revoked.json.info).toMatch(/bob/);
    expect((await k.call(VERSION, { auth: { apiKey: bobKey } })).status).toBe(401);
    expect((await k.call(VERSION, { auth: { apiKey: aliceKey } })).status).toBe(200);
  });

  it("lets an admin read another user's key (an admin change, recorded in that user's activity)", async () => {
    const bobKey = (await k.call(KEY, { method: 'PUT', auth: bob })).json.apiKey;
    const read = await k.call(`${KEY}/bob`, { auth: admin });
    expect(read.status).toBe(200);
    expect(read.json).toEqual({ apiKey: bobKey });
    expect((await k.call(`${KEY}/BOB`, { auth: admin })).json).toEqual({ apiKey: bobKey });
    expect((await k.call(`${KEY}/bob`, { auth: alice })).status).toBe(403);
    expect((await k.call(`${KEY}/nobody`, { auth: admin })).status).toBe(404);
    // A session that is not unlocked may not: revealing another's secret is an admin change.
    const session = (await k.call('/api/v1/session', { method: 'POST', json: { username: ADMIN.name, password: ADMIN.password } })).json.token;
    await k.advance(10 * 60_000);
    expect((await k.call(`${KEY}/bob`, { auth: { bearer: session } })).json.errors[0].code).toBe('UNLOCK_REQUIRED');
    const audited = await k.sql(
      "select e.detail as detail from audit_events e join users u on u.id = e.user_id where u.name_key = 'bob' and e.type = 'api-key-read-by-admin'",
    );
    expect(audited.length).toBe(2);
    expect(JSON.parse(String(audited[0]!.detail))).toEqual({ by: ADMIN.name });
    await k.call(`${KEY}/bob`, { method: 'DELETE', auth: admin });
    expect((await k.call(`${KEY}/bob`, { auth: admin })).json).toEqual({});

    // Another admin's key: not with an API key, which would otherwise outlast its own revocation as that admin.
    await k.createUser('root2', 'root2-Password-1', { admin: true });
    const root2Key = (await k.call(KEY, { method: 'POST', auth: { basic: ['root2', 'root2-Password-1'] } })).json.apiKey;
    const adminKey = (await k.call(KEY, { method: 'PUT', auth: admin })).json.apiKey;
    expect((await k.call(`${KEY}/root2`, { auth: { apiKey: adminKey } })).status).toBe(403);
    expect((await k.call(`${KEY}/root2`, { auth: admin })).json).toEqual({ apiKey: root2Key });
    await k.call(`${A_USERS}/root2`, { method: 'DELETE', auth: admin });
  });

  it('deleteAll=0 revokes only the caller’s key; deleteAll=1 is for admins and revokes every key', async () => {
    const aliceKey = (await k.call(KEY, { method: 'PUT', auth: alice })).json.apiKey;
    const bobKey = (await k.call(KEY, { method: 'PUT', auth: bob })).json.apiKey;
    const adminKey = (await k.call(KEY, { method: 'PUT', auth: admin })).json.apiKey;

    expect((await k.call(`${KEY}?deleteAll=1`, { method: 'DELETE', auth: alice })).status).toBe(403);
    expect((await k.call(VERSION, { auth: { apiKey: bobKey } })).status).toBe(200);

    expect((await k.call(`${KEY}?deleteAll=0`, { method: 'DELETE', auth: alice })).status).toBe(200);
    expect((await k.call(VERSION, { auth: { apiKey: aliceKey } })).status).toBe(401);
    expect((await k.call(VERSION, { auth: { apiKey: bobKey } })).status).toBe(200);

    const all = await k.call(`${KEY}?deleteAll=1`, { method: 'DELETE', auth: admin });
    expect(all.status).toBe(200);
    expect(all.json).toEqual({ info: expect.any(String) });
    for (const apiKey of [bobKey, adminKey]) expect((await k.call(VERSION, { auth: { apiKey } })).status).toBe(401);
    expect(await k.sql('select count(*) as n from api_keys')).toEqual([{ n: 0 }]);

    expect((await k.call(`${KEY}?deleteAll=yes`, { method: 'DELETE', auth: admin })).status).toBe(400);
  });

  it('50 concurrent regenerations all get an answer; afterwards exactly one key works and writes still go through', async () => {
    const replies = await Promise.all(Array.from({ length: 50 }, () => k.call(KEY, { method: 'PUT', auth: alice })));
    expect(replies.map((r) => r.status).filter((s) => s !== 200)).toEqual([]);
    const keys = replies.map((r) => r.json.apiKey as string);
    expect(new Set(keys).size).toBe(50);
    const works = await Promise.all(keys.map(async (apiKey) => (await k.call(VERSION, { auth: { apiKey } })).status === 200));
    expect(works.filter(Boolean)).toHaveLength(1);
    expect(await k.sql("select count(*) as n from api_keys where user_id = (select id from users where name_key = 'alice')")).toEqual([{ n: 1 }]);
    // The database is not left write-locked.
    await k.createUser('carol', 'carol-Password-1');
    expect((await k.call(KEY, { method: 'POST', auth: { basic: ['carol', 'carol-Password-1'] } })).status).toBe(201);
  });

  it('records when a key was last used, at most once a minute', async () => {
    const apiKey = (await k.call(KEY, { method: 'PUT', auth: alice })).json.apiKey;
    const lastUsed = async () => (await k.sql("select last_used_at as t from api_keys where user_id = (select id from users where name_key = 'alice')"))[0]?.t;
    expect(await lastUsed()).toBeNull();
    await k.call(VERSION, { auth: { apiKey } });
    const first = await lastUsed();
    expect(first).toBe(k.now());
    await k.advance(30_000);
    await k.call(VERSION, { auth: { apiKey } });
    expect(await lastUsed()).toBe(first);
    await k.advance(31_000);
    await k.call(VERSION, { auth: { apiKey } });
    expect(await lastUsed()).toBe(k.now());
  });

  it('treats a key of an older format as good in the header but asks for regeneration as a Basic password', async () => {
    const apiKey = (await k.call(KEY, { method: 'PUT', auth: bob })).json.apiKey;
    await k.sql("update api_keys set format_version = 1 where user_id = (select id from users where name_key = 'bob')");
    await k.settle();
    expect((await k.call(VERSION, { auth: { apiKey } })).status).toBe(200);
    const basic = await k.call(VERSION, { auth: { basic: ['bob', apiKey] } });
    expect(basic.status).toBe(401);
    expect(basic.json.errors[0]).toMatchObject({ code: 'LEGACY_API_KEY', message: expect.stringMatching(/regenerate/) });
    const fresh = (await k.call(KEY, { method: 'PUT', auth: bob })).json.apiKey;
    expect((await k.call(VERSION, { auth: { basic: ['bob', fresh] } })).status).toBe(200);
  });
});
