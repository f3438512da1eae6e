/**
 * jfrog-client-go 1.55.0 (the JFrog CLI's client), its requests as its source makes them: Go's net/http,
 * its user agent, Basic auth (user and password, or user and API key) or X-JFrog-Art-Api, a Content-Type
 * only where it sends a body. What it checks is asserted: CheckResponseStatusWithBody with the exact
 * statuses each service accepts, and the JSON it unmarshals.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startKeyfob, type RunningKeyfob } from '../../helpers/keyfob';
import { basic, goClient, replayer } from '../../helpers/replay';

const RT = '/artifactory/';
const USER_AGENT = 'jfrog-client-go/1.55.0';
/** httpclient.IsApiKey */
const isApiKey = (key: string) => key.startsWith('AKCp8') && key.length >= 73;

describe('jfrog-client-go 1.55.0', () => {
  let k: RunningKeyfob;
  let admin: ReturnType<typeof replayer>;
  beforeAll(async () => {
    k = await startKeyfob();
    admin = replayer(k.url, goClient({ 'User-Agent': USER_AGENT, Authorization: basic(ADMIN.name, ADMIN.password) }));
  });
  afterAll(() => k.close());

  it('API keys: GetAPIKey ({} when none), CreateAPIKey (only 201), a key IsApiKey takes for one, RegenerateAPIKey (only 200)', async () => {
    await k.createUser('froguser', 'froguser-Password-1');
    const frog = replayer(k.url, goClient({ 'User-Agent': USER_AGENT, Authorization: basic('froguser', 'froguser-Password-1') }));
    const none = await frog('GET', `${RT}api/security/apiKey`);
    expect(none.status).toBe(200);
    expect(none.json).toEqual({});
    // SendPost with a nil body: no Content-Type, Content-Length 0.
    const created = await frog('POST', `${RT}api/security/apiKey`);
    expect(created.status).toBe(201);
    const apiKey: string = created.json.apiKey;
    expect(isApiKey(apiKey)).toBe(true);
    expect(apiKey).toMatch(/\bAKCp[A-Za-z0-9]{69}\b/); // still gitleaks' artifactory-api-key
    expect((await frog('GET', `${RT}api/security/apiKey`)).json).toEqual({ apiKey });
    // setAuthentication: an API key with a user name goes as Basic, without one in X-JFrog-Art-Api.
    const viaBasic = replayer(k.url, goClient({ 'User-Agent': USER_AGENT, Authorization: basic('froguser', apiKey) }));
    expect((await viaBasic('GET', `${RT}api/system/version`)).status).toBe(200);
    const viaHeader = replayer(k.url, goClient({ 'User-Agent': USER_AGENT, 'X-Jfrog-Art-Api': apiKey }));
    expect((await viaHeader('GET', `${RT}api/system/version`)).status).toBe(200);
    const regenerated = await frog('PUT', `${RT}api/security/apiKey`);
    expect(regenerated.status).toBe(200);
    expect(isApiKey(regenerated.json.apiKey)).toBe(true);
    expect(regenerated.json.apiKey).not.toBe(apiKey);
  });

  it('users: GetUser (404 → nil), CreateUser (GET, then PUT: 200 or 201), GetUser, GetAllUsers, UpdateUser with ClearGroups, DeleteUser (only 200)', async () => {
    const missing = await admin('GET', `${RT}api/security/users/gopher`);
    expect(missing.status).toBe(404);
    // json.Marshal of User: omitempty drops what is unset; *bool fields are set.
    const user = {
      name: 'gopher',
      email: 'gopher@example.com',
      password: 'gopher-Password-1',
      admin: false,
      profileUpdatable: true,
      groups: ['readers', 'go'],
    };
    const created = await admin('PUT', `${RT}api/security/users/gopher`, { headers: { Accept: 'application/json' }, body: { json: user } });
    expect([200, 201]).toContain(created.status);
    const got = await admin('GET', `${RT}api/security/users/gopher`);
    expect(got.status).toBe(200);
    expect(got.json).toMatchObject({
      name: 'gopher',
      email: 'gopher@example.com',
      admin: false,
      profileUpdatable: true,
      realm: 'internal',
      groups: ['readers', 'go'],
    });
    // lastLoggedIn unmarshals into a string: null (never signed in) leaves it empty, a time is ISO 8601.
    expect(got.json.lastLoggedIn === null || typeof got.json.lastLoggedIn === 'string').toBe(true);

    const all = await admin('GET', `${RT}api/security/users`);
    expect(all.status).toBe(200);
    expect(all.json.map((u: { name: string }) => u.name)).toContain('gopher');

    // UpdateUser with ClearGroups: "groups":[] and only the fields set.
    const updated = await admin('POST', `${RT}api/security/users/gopher`, {
      headers: { Accept: 'application/json' },
      body: { json: { name: 'gopher', email: 'gopher@go.example', groups: [] } },
    });
    expect([200, 201]).toContain(updated.status);
    expect((await admin('GET', `${RT}api/security/users/gopher`)).json).toMatchObject({ email: 'gopher@go.example', groups: [] });

    // CreateUser with ReplaceIfExists false asks first: a user who exists is reported, nothing is PUT.
    expect((await admin('GET', `${RT}api/security/users/gopher`)).status).toBe(200);

    const deleted = await admin('DELETE', `${RT}api/security/users/gopher`);
    expect(deleted.status).toBe(200);
    expect((await admin('GET', `${RT}api/security/users/gopher`)).status).toBe(404);
  });

  it('GetLockedUsers (exactly 200, a JSON array of names) and UnlockUser (POST, no body, exactly 200; also for a name nobody has)', async () => {
    const none = await admin('GET', `${RT}api/security/lockedUsers`);
    expect(none.status).toBe(200);
    expect(none.json).toEqual([]);

    await k.createUser('locky', 'locky-Password-1');
    await k.call(`${RT}api/security/userLockPolicy`, {
      method: 'PUT',
      auth: { basic: [ADMIN.name, ADMIN.password] },
      json: { enabled: true, loginAttempts: 2 },
    });
    for (let i = 0; i < 2; i++) {
      await k.call(`${RT}api/system/version`, { auth: { basic: ['locky', 'wrong-password'] } });
      await k.advance(60_000);
    }
    const locked = await admin('GET', `${RT}api/security/lockedUsers`);
    expect(locked.status).toBe(200);
    expect(locked.json).toEqual(['locky']);

    const unlocked = await admin('POST', `${RT}api/security/unlockUsers/locky`);
    expect(unlocked.status).toBe(200);
    expect(unlocked.contentType).toMatch(/^text\/plain/);
    expect((await admin('GET', `${RT}api/security/lockedUsers`)).json).toEqual([]);
    expect((await k.call(`${RT}api/system/version`, { auth: { basic: ['locky', 'locky-Password-1'] } })).status).toBe(200);

    expect((await admin('POST', `${RT}api/security/unlockUsers/nobody-by-that-name`)).status).toBe(200);
    await k.call(`${RT}api/security/userLockPolicy`, {
      method: 'PUT',
      auth: { basic: [ADMIN.name, ADMIN.password] },
      json: { enabled: false, loginAttempts: 5 },
    });
  });

  it('ReportUsage: POST api/system/usage with a JSON body, 200 or 202', async () => {
    const body = { productId: 'jfrog-cli-go/2.70.0', features: [{ featureId: 'rt_ping', attributes: { os: 'linux' }, uniqueClientId: 'abc123' }] };
    const reply = await admin('POST', `${RT}api/system/usage`, { body: { json: body } });
    expect([200, 202]).toContain(reply.status);
    // The CLI sends it with whatever credentials it has; a wrong one does not turn a report into an error.
    const stale = replayer(k.url, goClient({ 'User-Agent': USER_AGENT, Authorization: basic('froguser', 'not-the-password') }));
    expect((await stale('POST', `${RT}api/system/usage`, { body: { json: body } })).status).toBe(200);
  });
});
