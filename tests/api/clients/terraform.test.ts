/**
 * terraform-provider-artifactory 12.0.0 (with terraform-provider-shared), its requests as its source makes
 * them: one resty client with `content-type: application/json`, `accept: *\/*` and its user agent on every
 * request, the admin's API key in X-JFrog-Art-Api (or an access token as Bearer), bodies from encoding/json.
 * What it checks is what is asserted: `resp.IsError()` (status ≥ 400) nearly everywhere, a 404 on read
 * meaning "gone", the fields it reads back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startKeyfob, type RunningKeyfob } from '../../helpers/keyfob';
import { basic, goClient, replayer } from '../../helpers/replay';

const A = '/artifactory/api';
const USER_AGENT = 'jfrog/terraform-provider-artifactory/12.0.0';
const PRODUCT_ID = 'terraform-provider-artifactory/12.0.0';
const isError = (status: number) => status > 399;

describe('Terraform provider for Artifactory 12.0.0', () => {
  let k: RunningKeyfob;
  let tf: ReturnType<typeof replayer>;
  let adminKey: string;
  beforeAll(async () => {
    k = await startKeyfob();
    adminKey = (await k.call(`${A}/security/apiKey`, { method: 'POST', auth: { basic: [ADMIN.name, ADMIN.password] } })).json.apiKey;
    // client.Build, then AddAuth with the API key: resty canonicalises the header names.
    tf = replayer(k.url, goClient({ 'User-Agent': USER_AGENT, 'Content-Type': 'application/json', Accept: '*/*', 'X-Jfrog-Art-Api': adminKey }));
  });
  afterAll(() => k.close());

  /** util.SendUsage: fire and forget, but it must not be an error. */
  const sendUsage = (feature: string) =>
    tf('POST', `${A}/system/usage`, { body: { json: { productId: PRODUCT_ID, features: [{ featureId: 'Partner/ACC-007450' }, { featureId: feature }] } } });

  it('configures: reads the Artifactory version (so uses the pre-7.84.3 user API), reports usage, reads the Access version', async () => {
    const version = await tf('GET', `${A}/system/version`);
    expect(version.status).toBe(200);
    // GetArtifactoryVersion reads `version`; CheckVersion(version, "7.84.3") must come out false.
    expect(version.json.version).toBe('0.1.0');
    expect((await sendUsage('Terraform/1.9.8')).status).toBe(200);
    // GetAccessVersion reads the version from `name`.
    const access = await tf('GET', '/access/api/v1/system/version');
    expect(access.status).toBe(200);
    expect(access.json.name).toBe('0.1.0');
  });

  it('artifactory_user: create (PUT then GET), read, update with internalPasswordDisabled null, delete (200/204/404), read gives 404', async () => {
    expect((await sendUsage('Resource/artifactory_user/CREATE')).status).toBe(200);
    // ArtifactoryUserAPIModel: password omitempty, internalPasswordDisabled a *bool without omitempty, groups omitempty.
    const plan = {
      name: 'terraform',
      email: 'test-user@artifactory-terraform.com',
      password: 'my-Super-secret-Password-1',
      admin: false,
      profileUpdatable: true,
      disableUIAccess: false,
      internalPasswordDisabled: null,
      groups: ['logged-in-users', 'readers'],
    };
    const created = await tf('PUT', `${A}/security/users/terraform`, { body: { json: plan } });
    expect(isError(created.status), created.text).toBe(false);
    const read = await tf('GET', `${A}/security/users/terraform`);
    expect(read.status).toBe(200);
    expect(read.json).toMatchObject({
      name: 'terraform',
      email: 'test-user@artifactory-terraform.com',
      admin: false,
      profileUpdatable: true,
      disableUIAccess: false,
      internalPasswordDisabled: false,
    });
    // syncReadersGroup PATCHes the Access API when the groups read back differ from the plan: they must not.
    expect(new Set(read.json.groups)).toEqual(new Set(plan.groups));

    // The encrypted password before the update: the same password sent again must not change it.
    const userAuth = { authorization: basic('terraform', plan.password) };
    const ap1 = (await k.call(`${A}/security/encryptedPassword`, { headers: userAuth })).text;

    // Update: the state's password again, internalPasswordDisabled unchanged (nil → null), one group fewer.
    expect((await sendUsage('Resource/artifactory_user/UPDATE')).status).toBe(200);
    const update = { ...plan, email: 'terraform@example.com', disableUIAccess: true, groups: ['readers'] };
    const updated = await tf('POST', `${A}/security/users/terraform`, { body: { json: update } });
    expect(isError(updated.status), updated.text).toBe(false);
    const reread = await tf('GET', `${A}/security/users/terraform`);
    expect(reread.json).toMatchObject({ email: 'terraform@example.com', disableUIAccess: true, internalPasswordDisabled: false, groups: ['readers'] });
    expect((await k.call(`${A}/security/encryptedPassword`, { headers: userAuth })).text).toBe(ap1);

    // Groups omitted (an empty set in the plan): nothing changes about them.
    const noGroups = { ...update, groups: undefined };
    expect(isError((await tf('POST', `${A}/security/users/terraform`, { body: { json: noGroups } })).status)).toBe(false);
    expect((await tf('GET', `${A}/security/users/terraform`)).json.groups).toEqual(['readers']);

    expect((await sendUsage('Resource/artifactory_user/DELETE')).status).toBe(200);
    const deleted = await tf('DELETE', `${A}/security/users/terraform`);
    expect([200, 204, 404]).toContain(deleted.status);
    const gone = await tf('GET', `${A}/security/users/terraform`);
    expect(gone.status).toBe(404);
    // The error body as the provider decodes it: {"errors":[{"code","message"}]}.
    expect(gone.json.errors[0]).toMatchObject({ code: expect.any(String), message: expect.any(String) });
    expect([200, 204, 404]).toContain((await tf('DELETE', `${A}/security/users/terraform`)).status);
  });

  it('artifactory_user without a password but with internalPasswordDisabled true is created as Artifactory creates it', async () => {
    const plan = { name: 'sso.only', email: 'sso@example.com', admin: false, profileUpdatable: true, disableUIAccess: false, internalPasswordDisabled: true };
    const created = await tf('PUT', `${A}/security/users/sso.only`, { body: { json: plan } });
    expect(isError(created.status), created.text).toBe(false);
    expect((await tf('GET', `${A}/security/users/sso.only`)).json).toMatchObject({ name: 'sso.only', internalPasswordDisabled: true, groups: [] });
  });

  it("accepts the user names Terraform's validator allows, `+` and `@` included, literally", async () => {
    for (const name of ['ci+bot', 'dev@corp.example', 'a_b-c.d']) {
      const plan = {
        name,
        email: 'x@example.com',
        password: 'Password-for-bot-1',
        admin: false,
        profileUpdatable: true,
        disableUIAccess: false,
        internalPasswordDisabled: null,
      };
      expect((await tf('PUT', `${A}/security/users/${name}`, { body: { json: plan } })).status).toBe(201);
      const read = await tf('GET', `${A}/security/users/${name}`);
      expect(read.status).toBe(200);
      expect(read.json.name).toBe(name);
    }
    // A `+` is a plus, not a space (Keyfob's names hold no spaces).
    expect((await tf('GET', `${A}/security/users/ci%20bot`)).status).toBe(404);
  });

  it('artifactory_api_key: create (POST with a JSON content type and no body), read, destroy, then read {} means gone', async () => {
    // The resource acts for whoever the provider is authenticated as; an API key cannot make one (as in
    // Artifactory), so this provider is configured with a bearer token: here a Keyfob session.
    await k.createUser('keyholder', 'keyholder-Password-1');
    const session = (await k.call('/api/v1/session', { method: 'POST', json: { username: 'keyholder', password: 'keyholder-Password-1' } })).json.token;
    const bearer = replayer(
      k.url,
      goClient({ 'User-Agent': USER_AGENT, 'Content-Type': 'application/json', Accept: '*/*', Authorization: `Bearer ${session}` }),
    );
    const created = await bearer('POST', `${A}/security/apiKey`);
    expect(isError(created.status), created.text).toBe(false);
    expect(created.json.apiKey.length).toBeGreaterThan(0);
    const read = await bearer('GET', `${A}/security/apiKey`);
    expect(read.json.apiKey).toBe(created.json.apiKey);
    expect(isError((await bearer('DELETE', `${A}/security/apiKey`)).status)).toBe(false);
    const after = await bearer('GET', `${A}/security/apiKey`);
    expect(after.status).toBe(200);
    expect(after.json.apiKey ?? '').toBe('');
  });

  it('artifactory_user_lock_policy: create, read, update, and destroy with {"enabled":false,"loginAttempts":0}', async () => {
    const endpoint = `${A}/security/userLockPolicy`;
    expect(isError((await tf('PUT', endpoint, { body: { json: { enabled: true, loginAttempts: 5 } } })).status)).toBe(false);
    expect((await tf('GET', endpoint)).json).toEqual({ enabled: true, loginAttempts: 5 });
    expect(isError((await tf('PUT', endpoint, { body: { json: { enabled: true, loginAttempts: 10 } } })).status)).toBe(false);
    expect((await tf('GET', endpoint)).json).toEqual({ enabled: true, loginAttempts: 10 });
    const destroyed = await tf('PUT', endpoint, { body: { json: { enabled: false, loginAttempts: 0 } } });
    expect(isError(destroyed.status), destroyed.text).toBe(false);
    // Still refused where it would mean something: enabled with no attempts allowed.
    expect((await tf('PUT', endpoint, { body: { json: { enabled: true, loginAttempts: 0 } } })).status).toBe(400);
  });

  it('artifactory_password_expiration_policy: create, read, update, and destroy (PUT enabled false with the state)', async () => {
    const endpoint = `${A}/security/configuration/passwordExpirationPolicy`;
    const plan = { enabled: true, passwordMaxAge: 120, notifyByEmail: true };
    expect(isError((await tf('PUT', endpoint, { body: { json: plan } })).status)).toBe(false);
    const read = await tf('GET', endpoint);
    expect(read.status).toBe(200);
    // Read back as real JSON booleans and numbers: the provider's struct has bool and int64.
    expect(read.json).toEqual(plan);
    expect(isError((await tf('PUT', endpoint, { body: { json: { enabled: true, passwordMaxAge: 90, notifyByEmail: false } } })).status)).toBe(false);
    expect((await tf('GET', endpoint)).json).toEqual({ enabled: true, passwordMaxAge: 90, notifyByEmail: false });
    const destroyed = await tf('PUT', endpoint, { body: { json: { enabled: false, passwordMaxAge: 90, notifyByEmail: false } } });
    expect(isError(destroyed.status), destroyed.text).toBe(false);
    expect((await tf('GET', endpoint)).json.enabled).toBe(false);
    // What it would not accept while enabled.
    expect((await tf('PUT', endpoint, { body: { json: { enabled: true, passwordMaxAge: 0, notifyByEmail: true } } })).status).toBe(400);
    expect((await tf('PUT', endpoint, { body: { json: { enabled: 'true', passwordMaxAge: '90', notifyByEmail: true } } })).status).toBe(400);
  });

  it('artifactory_group data source: the group users carry, with and without its members', async () => {
    await k.createUser('dev1', 'dev1-Password-1', { groups: ['developers'] });
    await k.createUser('dev2', 'dev2-Password-1', { groups: ['developers', 'readers'] });
    const without = await tf('GET', `${A}/security/groups/developers?includeUsers=false`);
    expect(without.status).toBe(200);
    expect(without.json).toMatchObject({ name: 'developers', autoJoin: false, adminPrivileges: false, realm: 'internal' });
    expect(without.json.userNames).toBeUndefined();
    const withUsers = await tf('GET', `${A}/security/groups/developers?includeUsers=true`);
    expect(withUsers.json.userNames).toEqual(['dev1', 'dev2']);
    expect(isError((await tf('GET', `${A}/security/groups/nobody-here?includeUsers=false`)).status)).toBe(true);
  });
});
