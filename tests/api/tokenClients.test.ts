/**
 * The token requests of JFrog's CLI, Terraform's artifactory_scoped_token, dohq-artifactory, pyartifactory
 * and jfrog-client-js, replayed as their source makes them (method, path, headers, body), asserting what
 * each client checks. Sources: jfrog-client-go 1.55 (artifactory/services/security.go, access/services/
 * accesstoken.go, auth/authutils.go), jfrog-cli-core (utils/config/tokenrefresh.go, common/commands/
 * config.go, general/token/accesstokencreate.go), terraform-provider-artifactory 12.0
 * (resource_artifactory_scoped_token.go), devopshq/artifactory (dohq_artifactory/admin.py Token),
 * pyartifactory (objects/security.py).
 */
import { JfrogClient } from 'jfrog-client-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startKeyfob, type RunningKeyfob } from '../helpers/keyfob';

const basic = (user: string, secret: string) => `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`;
const FORM = 'application/x-www-form-urlencoded';

/** jfrog-client-go's ExtractUsernameFromAccessToken and GetTokenMinutesLeft: RawStdEncoding of the payload. */
function readLikeJfrogClientGo(token: string) {
  const payload = JSON.parse(Buffer.from(token.split('.')[1]!.replace(/[-_]/g, '!'), 'base64').toString('utf8')) as { sub: string; exp?: number; iat: number };
  const sub = payload.sub;
  const username = sub.startsWith('jfrt@') || sub.includes('/users/') ? sub.slice(sub.lastIndexOf('/') + 1) : sub;
  return { username, minutesLeft: payload.exp === undefined ? 0 : (payload.exp - payload.iat) / 60 };
}

describe('token clients, replayed', () => {
  let k: RunningKeyfob;
  beforeAll(async () => {
    k = await startKeyfob();
    await k.createUser('dev', 'dev-Password-1');
  });
  afterAll(() => k.close());
  const send = (path: string, init: { method?: string; headers?: Record<string, string>; body?: string }) =>
    fetch(k.url + path, { method: init.method ?? 'GET', headers: init.headers, body: init.body });

  it('JFrog CLI: `jf c add --user --password`, then a command (token bootstrap), then a refresh', async () => {
    // config.go lower-cases the user; createTokensForConfig: username, 3600 s, member-of-groups:*, refreshable.
    const bootstrap = await send('/artifactory/api/security/token', {
      method: 'POST',
      headers: { authorization: basic('dev', 'dev-Password-1'), 'content-type': FORM, 'user-agent': 'jfrog-cli-go/2.74.0' },
      body: 'expires_in=3600&refreshable=true&scope=member-of-groups%3A%2A&username=dev',
    });
    expect(bootstrap.status).toBe(200);
    const first = (await bootstrap.json()) as { access_token: string; refresh_token: string; expires_in: number; scope: string; token_type: string };
    expect(first).toMatchObject({ expires_in: 3600, token_type: 'Bearer', scope: 'api:* member-of-groups:*' });
    expect(typeof first.refresh_token).toBe('string');
    const read = readLikeJfrogClientGo(first.access_token);
    expect(read).toEqual({ username: 'dev', minutesLeft: 60 });
    // Commands then go as Bearer; package-manager commands as Basic <name from token>:<token>.
    expect((await send('/artifactory/api/system/version', { headers: { authorization: `Bearer ${first.access_token}` } })).status).toBe(200);
    expect((await send('/artifactory/api/system/version', { headers: { authorization: basic(read.username, first.access_token) } })).status).toBe(200);

    // Ten minutes before expiry the interceptor refreshes: no credentials, a form of the old pair.
    await k.advance(51 * 60_000);
    const refresh = await send('/artifactory/api/security/token', {
      method: 'POST',
      headers: { 'content-type': FORM, 'user-agent': 'jfrog-cli-go/2.74.0' },
      body: `access_token=${encodeURIComponent(first.access_token)}&grant_type=refresh_token&refresh_token=${encodeURIComponent(first.refresh_token)}`,
    });
    expect(refresh.status).toBe(200);
    const second = (await refresh.json()) as typeof first;
    // The CLI stores what comes back: a new refresh token, or it stops refreshing.
    expect(second.refresh_token).toBeTruthy();
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(second.expires_in).toBe(3600);
    await k.advance(10 * 60_000);
    expect((await send('/artifactory/api/system/version', { headers: { authorization: `Bearer ${first.access_token}` } })).status).toBe(401);
    expect((await send('/artifactory/api/system/version', { headers: { authorization: `Bearer ${second.access_token}` } })).status).toBe(200);
  });

  it('jfrog-client-go RefreshAccessToken against the Access API: JSON, the old (even expired) token as Bearer', async () => {
    const created = (
      await k.call('/access/api/v1/tokens', { method: 'POST', auth: { basic: ['dev', 'dev-Password-1'] }, json: { expires_in: 300, refreshable: true } })
    ).json;
    await k.advance(301_000);
    const reply = await send('/access/api/v1/tokens', {
      method: 'POST',
      headers: { authorization: `Bearer ${created.access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ access_token: created.access_token, refreshable: true, refresh_token: created.refresh_token, grant_type: 'refresh_token' }),
    });
    expect(reply.status).toBe(200);
    const refreshed = (await reply.json()) as Record<string, unknown>;
    expect(refreshed.access_token).not.toBe(created.access_token);
    expect(refreshed.refresh_token).not.toBe(created.refresh_token);
    expect(refreshed.expires_in).toBe(300);
    expect(refreshed.reference_token).toBeUndefined();
  });

  it('`jf atc`: POST /access/api/v1/tokens with the configured access token', async () => {
    const configured = (
      await k.call('/artifactory/api/security/token', {
        method: 'POST',
        auth: { basic: ['dev', 'dev-Password-1'] },
        body: 'username=dev&scope=member-of-groups%3A%2A&expires_in=3600&refreshable=true',
        headers: { 'content-type': FORM },
      })
    ).json.access_token;
    const reply = await send('/access/api/v1/tokens', {
      method: 'POST',
      headers: { authorization: `Bearer ${configured}`, 'content-type': 'application/json', 'user-agent': 'jfrog-cli-go/2.74.0' },
      body: JSON.stringify({ refreshable: false, include_reference_token: false, username: 'dev' }),
    });
    expect(reply.status).toBe(200);
    const body = (await reply.json()) as Record<string, unknown>;
    for (const key of ['access_token', 'token_id', 'expires_in', 'scope', 'token_type']) expect(body[key]).toBeDefined();
    expect(body.refresh_token).toBeUndefined();
    expect(readLikeJfrogClientGo(body.access_token as string).username).toBe('dev');
  });

  it("Terraform's artifactory_scoped_token: create, read, destroy", async () => {
    const headers = {
      authorization: `Bearer ${(await k.call('/access/api/v1/tokens', { method: 'POST', auth: { basic: [ADMIN.name, ADMIN.password] }, json: { scope: 'applied-permissions/admin', expires_in: 30 * 86400 } })).json.access_token}`,
      'content-type': 'application/json',
      accept: '*/*',
      'user-agent': 'jfrog/terraform-provider-artifactory/12.0.0',
    };
    const create = await send('/access/api/v1/tokens', {
      method: 'POST',
      headers,
      body: JSON.stringify({
        grant_type: 'client_credentials',
        username: 'dev',
        project_key: '',
        scope: 'applied-permissions/user',
        expires_in: 86400,
        refreshable: false,
        description: 'terraform',
        include_reference_token: true,
      }),
    });
    expect(create.status).toBe(200);
    const created = (await create.json()) as Record<string, any>;
    // Terraform reports an inconsistent result unless scope and expires_in come back as asked.
    expect(created.scope).toBe('applied-permissions/user');
    expect(created.expires_in).toBe(86400);
    expect(created.token_type).toBe('Bearer');
    expect(created.reference_token).toBeTruthy();
    const read = await send(`/access/api/v1/tokens/${created.token_id}`, { headers });
    expect(read.status).toBe(200);
    const state = (await read.json()) as Record<string, any>;
    expect(state).toMatchObject({
      token_id: created.token_id,
      subject: 'jfac@keyfob/users/dev',
      issuer: 'jfac@keyfob',
      description: 'terraform',
      refreshable: false,
    });
    expect(state.expiry - state.issued_at).toBe(86400);
    const destroy = await send(`/access/api/v1/tokens/${created.token_id}`, { method: 'DELETE', headers });
    expect(destroy.status).toBeLessThan(400);
    // After destroy, a read is a 404 (the resource is gone from state), and a second destroy is no error.
    expect((await send(`/access/api/v1/tokens/${created.token_id}`, { headers })).status).toBe(404);
    expect((await send(`/access/api/v1/tokens/${created.token_id}`, { method: 'DELETE', headers })).status).toBeLessThan(400);
    expect((await send('/artifactory/api/system/version', { headers: { authorization: `Bearer ${created.access_token}` } })).status).toBe(401);
  });

  it("dohq-artifactory's Token: create (form), read, revoke", async () => {
    const auth = basic('dev', 'dev-Password-1');
    // requests form-encodes Python's True as "True".
    const create = await send('/artifactory/api/security/token', {
      method: 'POST',
      headers: { authorization: auth, 'content-type': FORM, 'user-agent': 'python-requests/2.31.0' },
      body: 'username=dev&scope=api%3A%2A+member-of-groups%3Areaders&expires_in=3600&refreshable=True',
    });
    expect(create.status).toBe(200);
    const { access_token } = (await create.json()) as { access_token: string };
    // dohq: jwt.decode(access_token, verify_signature=False)["jti"] is the token_id.
    const jti = JSON.parse(Buffer.from(access_token.split('.')[1]!, 'base64url').toString()).jti as string;
    const list = (await (await send('/artifactory/api/security/token', { headers: { authorization: auth } })).json()) as { tokens: Record<string, unknown>[] };
    const entry = list.tokens.find((t) => t.token_id === jti);
    expect(entry).toMatchObject({
      issuer: expect.any(String),
      subject: 'jfac@keyfob/users/dev',
      refreshable: true,
      expiry: expect.any(Number),
      issued_at: expect.any(Number),
    });
    const revoke = await send('/artifactory/api/security/token/revoke', {
      method: 'POST',
      headers: { authorization: auth, 'content-type': FORM },
      body: `token=${encodeURIComponent(access_token)}`,
    });
    expect([revoke.status, await revoke.text()]).toEqual([200, 'Token revoked']);
    const again = await send('/artifactory/api/security/token/revoke', {
      method: 'POST',
      headers: { authorization: auth, 'content-type': FORM },
      body: `token_id=${jti}`,
    });
    expect([again.status, await again.text()]).toEqual([200, 'Token not found']);
  });

  it("pyartifactory's create_access_token and revoke: forms under the Artifactory URL", async () => {
    const auth = basic('dev', 'dev-Password-1');
    const create = await send('/artifactory/access/api/v1/tokens', {
      method: 'POST',
      headers: { authorization: auth, 'content-type': FORM },
      body: 'username=dev&expires_in=3600&refreshable=False&scope=applied-permissions%2Fuser',
    });
    expect(create.status).toBe(200);
    const model = (await create.json()) as Record<string, unknown>;
    // AccessTokenModel: access_token, scope, token_type required; expires_in an int.
    expect(typeof model.access_token).toBe('string');
    expect(model.scope).toBe('applied-permissions/user');
    expect(model.token_type).toBe('Bearer');
    expect(Number.isInteger(model.expires_in)).toBe(true);
    const revoke = await send('/artifactory/access/api/v1/tokens/revoke', {
      method: 'DELETE',
      headers: { authorization: auth, 'content-type': FORM },
      body: `token=${encodeURIComponent(model.access_token as string)}`,
    });
    expect(revoke.status).toBeLessThan(400);
    expect((await send('/artifactory/api/system/version', { headers: { authorization: `Bearer ${model.access_token}` } })).status).toBe(401);
  });

  it('jfrog-client-js with accessToken', async () => {
    const token = (await k.call('/access/api/v1/tokens', { method: 'POST', auth: { basic: ['dev', 'dev-Password-1'] }, json: { expires_in: 600 } })).json
      .access_token;
    const client = new JfrogClient({ platformUrl: k.url, accessToken: token, retries: 0 } as never);
    expect(await client.artifactory().system().ping()).toBe('OK');
    const version = await client.artifactory().system().version();
    expect(version.version).toBeTruthy();
    expect(version.revision).toBeTruthy();
    await k.call('/access/api/v1/tokens/revoke', { method: 'DELETE', auth: { basic: ['dev', 'dev-Password-1'] }, json: { token } });
    await expect(client.artifactory().system().version()).rejects.toBeTruthy();
  });
});
