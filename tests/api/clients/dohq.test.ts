/**
 * dohq-artifactory (devopshq/artifactory, `dohq_artifactory/admin.py`), its requests as its source makes
 * them: python-requests with Basic auth, `json=` bodies (Python's json.dumps) with `Content-Type:
 * application/json`. What it checks is asserted: `raise_for_status` (any 4xx or 5xx raises, reading
 * `errors[0].message`), `read()` taking 404 or 400 as "does not exist", and the fields it reads.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startKeyfob, type RunningKeyfob } from '../../helpers/keyfob';
import { basic, pythonRequests, replayer } from '../../helpers/replay';

const DRIVE = '/artifactory';
const raises = (status: number) => status >= 400;
/** AdminObject.read(): False for 404 and 400, otherwise raise_for_status and parse. */
const exists = (status: number) => {
  if (status === 404 || status === 400) return false;
  expect(raises(status)).toBe(false);
  return true;
};

describe('dohq-artifactory', () => {
  let k: RunningKeyfob;
  let art: ReturnType<typeof replayer>;
  beforeAll(async () => {
    k = await startKeyfob();
    art = replayer(k.url, pythonRequests({ Authorization: basic(ADMIN.name, ADMIN.password) }));
  });
  afterAll(() => k.close());

  /** User._create_json() */
  const userJson = (fields: { name: string; email: string | null; password: string | null; groups: string[]; internalPasswordDisabled?: boolean | null }) => ({
    name: fields.name,
    email: fields.email,
    password: fields.password,
    admin: false,
    profileUpdatable: true,
    disableUIAccess: false,
    internalPasswordDisabled: fields.internalPasswordDisabled ?? false,
    groups: fields.groups,
  });

  it('User.create() (PUT, then read), find_user(), user.groups (one GET per group), User.update() with "password": null', async () => {
    const body = userJson({ name: 'pyuser', email: 'pyuser@example.com', password: 'pyuser-Password-1', groups: ['python', 'readers'] });
    const created = await art('PUT', `${DRIVE}/api/security/users/pyuser`, { headers: { 'Content-Type': 'application/json' }, body: { json: body } });
    expect(raises(created.status), created.text).toBe(false);

    // read(): the fields _read_response takes; name is required, groups default to [].
    const read = await art('GET', `${DRIVE}/api/security/users/pyuser`);
    expect(exists(read.status)).toBe(true);
    expect(read.json).toMatchObject({
      name: 'pyuser',
      email: 'pyuser@example.com',
      admin: false,
      profileUpdatable: true,
      disableUIAccess: false,
      internalPasswordDisabled: false,
      realm: 'internal',
    });
    expect(read.json.groups).toEqual(['python', 'readers']);
    expect(read.json.lastLoggedIn).toBeNull(); // `isoparse(...) if response.get("lastLoggedIn") else None`

    // find_user() of a name nobody has: None.
    expect(exists((await art('GET', `${DRIVE}/api/security/users/nobody`)).status)).toBe(false);

    // user.groups: find_group(x) for each, Group.read() with no query.
    for (const group of read.json.groups) {
      const found = await art('GET', `${DRIVE}/api/security/groups/${group}`);
      expect(exists(found.status)).toBe(true);
      expect(found.json).toMatchObject({ name: group, description: expect.any(String), autoJoin: false, realm: 'internal' });
    }

    // find_user() then update(): its password is None (never returned), the rest as read.
    const update = userJson({
      name: 'pyuser',
      email: 'py@example.com',
      password: null,
      groups: ['python'],
      internalPasswordDisabled: read.json.internalPasswordDisabled,
    });
    const updated = await art('POST', `${DRIVE}/api/security/users/pyuser`, { headers: { 'Content-Type': 'application/json' }, body: { json: update } });
    expect(raises(updated.status), updated.text).toBe(false);
    expect((await art('GET', `${DRIVE}/api/security/users/pyuser`)).json).toMatchObject({ email: 'py@example.com', groups: ['python'] });
    // The password is still the one it was.
    expect((await k.call(`${DRIVE}/api/system/version`, { auth: { basic: ['pyuser', 'pyuser-Password-1'] } })).status).toBe(200);

    // Once the user has signed in, lastLoggedIn is ISO 8601 (isoparse).
    await k.call('/api/v1/session', { method: 'POST', json: { username: 'pyuser', password: 'pyuser-Password-1' } });
    const lastLoggedIn = (await art('GET', `${DRIVE}/api/security/users/pyuser`)).json.lastLoggedIn;
    expect(new Date(lastLoggedIn).toISOString()).toBe(lastLoggedIn);

    // Artifactory.users: GET the list, take each "name".
    const list = await art('GET', `${DRIVE}/api/security/users`);
    expect(list.status).toBe(200);
    expect(list.json.map((u: { name: string }) => u.name)).toEqual(['admin', 'pyuser']);
  });

  it('User.create() without a password sends "password": null: refused with a message raise_for_status can show', async () => {
    const body = userJson({ name: 'nopass', email: 'nopass@example.com', password: null, groups: [] });
    const refused = await art('PUT', `${DRIVE}/api/security/users/nopass`, { headers: { 'Content-Type': 'application/json' }, body: { json: body } });
    expect(refused.status).toBe(400);
    expect(refused.json.errors[0].message).toMatch(/password is required/);
  });

  it("user.api_key: get, create, regenerate (get first), revoke, with the user's own password; revoke_for_all_users as an admin", async () => {
    await k.createUser('keys', 'keys-Password-1');
    const own = replayer(k.url, pythonRequests({ Authorization: basic('keys', 'keys-Password-1') }));
    const url = `${DRIVE}/api/security/apiKey`;
    // get(): json.loads(text).get("apiKey", "")
    expect((await own('GET', url)).json.apiKey ?? '').toBe('');
    const created = await own('POST', url);
    expect(raises(created.status)).toBe(false);
    const apiKey = JSON.parse(created.text).apiKey as string;
    expect(apiKey).toMatch(/^AKCp8/);
    expect(JSON.parse((await own('GET', url)).text).apiKey).toBe(apiKey);
    const regenerated = await own('PUT', url);
    expect(raises(regenerated.status)).toBe(false);
    expect(JSON.parse(regenerated.text).apiKey).not.toBe(apiKey);
    expect(raises((await own('DELETE', url)).status)).toBe(false);
    expect((await own('GET', url)).json.apiKey ?? '').toBe('');

    // encrypted_password: the text of GET encryptedPassword with the user's password.
    const encrypted = await own('GET', `${DRIVE}/api/security/encryptedPassword`);
    expect(encrypted.status).toBe(200);
    expect(encrypted.text).toMatch(/^AP1[A-Za-z0-9]+$/);

    await own('POST', url);
    const all = await art('DELETE', `${url}?deleteAll=1`);
    expect(raises(all.status)).toBe(false);
    expect((await own('GET', url)).json).toEqual({});
  });

  it('Group.create() gets a 501 that says what to do instead; User.delete() then read() is gone', async () => {
    const group = { name: 'newgroup', description: '', autoJoin: false, external: false, newUserDefault: false, realm: 'artifactory' };
    const refused = await art('PUT', `${DRIVE}/api/security/groups/newgroup`, { headers: { 'Content-Type': 'application/json' }, body: { json: group } });
    expect(refused.status).toBe(501);
    expect(refused.json.errors[0].message).toMatch(/groups/);

    expect(raises((await art('DELETE', `${DRIVE}/api/security/users/pyuser`)).status)).toBe(false);
    expect(exists((await art('GET', `${DRIVE}/api/security/users/pyuser`)).status)).toBe(false);
    // Its groups went with it: no user carries them any more.
    expect(exists((await art('GET', `${DRIVE}/api/security/groups/python`)).status)).toBe(false);
  });
});
