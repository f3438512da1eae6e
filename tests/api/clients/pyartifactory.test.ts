/**
 * pyartifactory (anancarv/python-artifactory), its requests as its source makes them: python-requests with
 * the `auth=(user, password)` tuple as Basic, `json=` bodies from pydantic's `model_dump()` (Python's
 * json.dumps). What it checks is asserted: `raise_for_status()`, 404 or 400 on a get meaning "not found",
 * and the pydantic models the replies must fit (a UserResponse needs a name and a valid e-mail).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startKeyfob, type RunningKeyfob } from '../../helpers/keyfob';
import { basic, pythonRequests, replayer } from '../../helpers/replay';

const URL = '/artifactory';
const raises = (status: number) => status >= 400;
const notFound = (status: number) => status === 404 || status === 400;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** UserResponse(**json): name, and a valid EmailStr; the rest optional. */
function expectUserResponse(json: any) {
  expect(typeof json.name).toBe('string');
  expect(json.email).toMatch(EMAIL);
  for (const flag of ['admin', 'profileUpdatable', 'disableUIAccess', 'internalPasswordDisabled']) expect(typeof json[flag]).toBe('boolean');
  expect(json.lastLoggedIn === null || !Number.isNaN(Date.parse(json.lastLoggedIn))).toBe(true);
}

describe('pyartifactory', () => {
  let k: RunningKeyfob;
  let art: ReturnType<typeof replayer>;
  beforeAll(async () => {
    k = await startKeyfob();
    art = replayer(k.url, pythonRequests({ Authorization: basic(ADMIN.name, ADMIN.password) }));
  });
  afterAll(() => k.close());

  it('users.create(NewUser): get first (404), PUT model_dump() with "groups": null, then get', async () => {
    expect(notFound((await art('GET', `${URL}/api/security/users/pyart`)).status)).toBe(true);
    // NewUser(name=…, email=…, password=…).model_dump(), the password put in as its secret value.
    const body = {
      name: 'pyart',
      admin: false,
      profileUpdatable: true,
      disableUIAccess: false,
      internalPasswordDisabled: false,
      groups: null,
      email: 'pyart@example.com',
      password: 'pyart-Password-1',
    };
    const created = await art('PUT', `${URL}/api/security/users/pyart`, { body: { json: body } });
    expect(raises(created.status), created.text).toBe(false);
    const got = await art('GET', `${URL}/api/security/users/pyart`);
    expect(got.status).toBe(200);
    expectUserResponse(got.json);
    expect(got.json).toMatchObject({ name: 'pyart', email: 'pyart@example.com', groups: [] });
    // Creating it again: get() finds it, so it raises UserAlreadyExistsError without a PUT.
    expect(raises((await art('GET', `${URL}/api/security/users/pyart`)).status)).toBe(false);
  });

  it('users.list() (SimpleUser: name, uri), users.update(User) with email and groups null, users.delete()', async () => {
    const list = await art('GET', `${URL}/api/security/users`);
    expect(list.status).toBe(200);
    for (const user of list.json) {
      expect(typeof user.name).toBe('string');
      expect(typeof user.uri).toBe('string');
    }
    // update(User(name="pyart", groups=…)): get, POST model_dump(exclude={"lastLoggedIn","realm"}), get.
    const withGroups = {
      name: 'pyart',
      admin: false,
      profileUpdatable: true,
      disableUIAccess: false,
      internalPasswordDisabled: false,
      groups: ['py'],
      email: null,
    };
    expect(raises((await art('POST', `${URL}/api/security/users/pyart`, { body: { json: withGroups } })).status)).toBe(false);
    const after = await art('GET', `${URL}/api/security/users/pyart`);
    expectUserResponse(after.json); // the e-mail it had is kept: null was "not given"
    expect(after.json).toMatchObject({ email: 'pyart@example.com', groups: ['py'] });
    const nulls = { ...withGroups, groups: null };
    expect(raises((await art('POST', `${URL}/api/security/users/pyart`, { body: { json: nulls } })).status)).toBe(false);
    expect((await art('GET', `${URL}/api/security/users/pyart`)).json.groups).toEqual(['py']);

    // groups.get(name): GET with params={"includeUsers": True}; groups.list(): Group(**{name, uri}).
    const group = await art('GET', `${URL}/api/security/groups/py?includeUsers=True`);
    expect(group.status).toBe(200);
    expect(group.json).toMatchObject({ name: 'py', autoJoin: false, adminPrivileges: false, userNames: ['pyart'] });
    const groups = await art('GET', `${URL}/api/security/groups`);
    expect(groups.json).toEqual([{ name: 'py', uri: `${k.url}/artifactory/api/security/groups/py` }]);
    expect(notFound((await art('GET', `${URL}/api/security/groups/nope?includeUsers=True`)).status)).toBe(true);
    // groups.create(): get (404), then PUT, which Keyfob refuses (groups are what users carry).
    const createGroup = {
      name: 'nope',
      description: null,
      autoJoin: false,
      adminPrivileges: false,
      realm: null,
      realmAttributes: null,
      watchManager: false,
      policyManager: false,
      userNames: null,
    };
    expect((await art('PUT', `${URL}/api/security/groups/nope`, { body: { json: createGroup } })).status).toBe(501);

    // delete(name): get, then DELETE (a DELETE without a body carries Content-Length: 0).
    expect(raises((await art('DELETE', `${URL}/api/security/users/pyart`)).status)).toBe(false);
    expect(notFound((await art('GET', `${URL}/api/security/users/pyart`)).status)).toBe(true);
  });

  it('users.unlock(name): POST with no body; succeeds even for a user who does not exist', async () => {
    await k.createUser('locked', 'locked-Password-1');
    const unlocked = await art('POST', `${URL}/api/security/unlockUsers/locked`);
    expect(raises(unlocked.status)).toBe(false);
    expect(raises((await art('POST', `${URL}/api/security/unlockUsers/does-not-exist`)).status)).toBe(false);
  });

  it('security: create_api_key, get_api_key, regenerate_api_key, revoke_api_key, and revoke_user_api_key(name) as admin', async () => {
    await k.createUser('keyed', 'keyed-Password-1');
    const own = replayer(k.url, pythonRequests({ Authorization: basic('keyed', 'keyed-Password-1') }));
    // ApiKeyModel(**json): apiKey required.
    const created = await own('POST', `${URL}/api/security/apiKey`);
    expect(raises(created.status)).toBe(false);
    expect(typeof created.json.apiKey).toBe('string');
    expect((await own('GET', `${URL}/api/security/apiKey`)).json.apiKey).toBe(created.json.apiKey);
    const regenerated = await own('PUT', `${URL}/api/security/apiKey`);
    expect(typeof regenerated.json.apiKey).toBe('string');
    expect(raises((await own('DELETE', `${URL}/api/security/apiKey`)).status)).toBe(false);

    const again = (await own('POST', `${URL}/api/security/apiKey`)).json.apiKey;
    expect(raises((await art('DELETE', `${URL}/api/security/apiKey/keyed`)).status)).toBe(false);
    expect((await k.call(`${URL}/api/system/version`, { auth: { apiKey: again } })).status).toBe(401);
  });
});
