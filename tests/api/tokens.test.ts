/** Access tokens: what each form does, how it ends, and what a stolen one cannot do. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_TOKEN_PATTERN, REFERENCE_TOKEN_PATTERN } from '../../shared/formats';
import { ADMIN, startKeyfob, type RunningKeyfob } from '../helpers/keyfob';

const T = '/access/api/v1/tokens';
const VERSION = '/artifactory/api/system/version';
const admin = { basic: [ADMIN.name, ADMIN.password] as [string, string] };

/** The payload as jfrog-client-go reads it: standard base64 alphabet, no padding (RawStdEncoding). */
function payloadAsGoReadsIt(jwt: string): Record<string, unknown> {
  const part = jwt.split('.')[1]!;
  expect(part).toMatch(/^[A-Za-z0-9+/]+$/);
  return JSON.parse(Buffer.from(part, 'base64').toString('utf8'));
}

describe('access tokens', () => {
  let k: RunningKeyfob;
  const ivy = { basic: ['ivy', 'ivy-Password-1'] as [string, string] };
  beforeAll(async () => {
    k = await startKeyfob();
    await k.createUser('ivy', 'ivy-Password-1');
    await k.createUser('ops', 'ops-Password-1', { admin: true });
  });
  afterAll(() => k.close());
  const create = (auth: any, json: Record<string, unknown>) => k.call(T, { method: 'POST', auth, json });

  it('issues a JWT whose payload JFrog clients read, a reference token, and a refresh token', async () => {
    const reply = await create(ivy, { description: 'ci > deploy?', expires_in: 3600, refreshable: true, include_reference_token: true });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toMatch(/application\/json/);
    const { token_id, access_token, expires_in, scope, token_type, refresh_token, reference_token } = reply.json;
    expect({ expires_in, scope, token_type }).toEqual({ expires_in: 3600, scope: 'applied-permissions/user', token_type: 'Bearer' });
    expect(access_token).toMatch(ACCESS_TOKEN_PATTERN);
    expect(reference_token).toMatch(REFERENCE_TOKEN_PATTERN);
    expect(Buffer.from(reference_token, 'base64').toString()).toMatch(/^reftkn:01:\d{10}:/);
    const claims = payloadAsGoReadsIt(access_token);
    // jfrog-client-go: the user name is what follows the last '/' of sub.
    expect(String(claims.sub).split('/').at(-1)).toBe('ivy');
    expect(claims).toMatchObject({ scp: 'applied-permissions/user', jti: token_id, iss: 'jfac@keyfob' });
    expect(Number(claims.exp) - Number(claims.iat)).toBe(3600);
    // Each works wherever a credential goes.
    for (const auth of [
      { bearer: access_token },
      { basic: ['ivy', access_token] },
      { bearer: reference_token },
      { apiKey: reference_token },
      { basic: ['ivy', reference_token] },
    ]) {
      expect((await k.call(VERSION, { auth: auth as any })).status).toBe(200);
    }
    // As a Basic password, only with its own user's name.
    expect((await k.call(VERSION, { auth: { basic: ['ops', access_token] } })).status).toBe(401);
    // One character off fails the checksum: refused as an unknown token is (Artifactory's error shape).
    const typo = (token: string) => `${token.slice(0, 20)}${token[20] === 'a' ? 'b' : 'a'}${token.slice(21)}`;
    for (const auth of [{ bearer: typo(reference_token) }, { apiKey: typo(reference_token) }]) {
      const mistyped = await k.call(VERSION, { auth });
      expect([mistyped.status, mistyped.json]).toEqual([
        401,
        { errors: [{ status: 401, code: 'BAD_CREDENTIALS', message: 'This access token is unknown here' }] },
      ]);
    }
    expect(refresh_token).toMatch(/^kfr_[a-z2-7]{32}[A-Za-z0-9]{6}$/);
    const misrefreshed = await k.call(T, { method: 'POST', json: { grant_type: 'refresh_token', refresh_token: typo(refresh_token) } });
    expect([misrefreshed.status, misrefreshed.json.errors[0].code]).toEqual([401, 'BAD_CREDENTIALS']);
    // Only hashes at rest: no token value is in the database.
    const dump = JSON.stringify(await k.sql('select * from access_tokens'));
    for (const secret of [access_token, refresh_token, reference_token]) expect(dump).not.toContain(secret);
  });

  it('says which: expired, revoked, refreshed, or not ours — never "session"', async () => {
    const short = (await create(ivy, { expires_in: 60 })).json.access_token;
    const revoked = (await create(ivy, { expires_in: 3600 })).json;
    const refreshable = (await create(ivy, { expires_in: 3600, refreshable: true })).json;
    expect((await k.call(`${T}/${revoked.token_id}`, { method: 'DELETE', auth: ivy })).status).toBe(200);
    expect((await k.call(`${T}/${revoked.token_id}`, { method: 'DELETE', auth: ivy })).status).toBe(204);
    const refreshed = await k.call(T, { method: 'POST', json: { grant_type: 'refresh_token', refresh_token: refreshable.refresh_token } });
    expect(refreshed.status).toBe(200);
    expect(refreshed.json.refresh_token).not.toBe(refreshable.refresh_token);
    expect(refreshed.json.expires_in).toBe(3600);
    await k.advance(61_000);
    const answers = await Promise.all(
      [short, revoked.access_token, refreshable.access_token, `${short.slice(0, -4)}AAAA`].map((token) => k.call(VERSION, { auth: { bearer: token } })),
    );
    expect(answers.map((a) => [a.status, a.json.errors[0].code])).toEqual([
      [401, 'TOKEN_EXPIRED'],
      [401, 'TOKEN_REVOKED'],
      [401, 'TOKEN_REVOKED'],
      [401, 'BAD_CREDENTIALS'],
    ]);
    expect(answers[0]!.json.errors[0].message).toMatch(/expired/);
    expect(answers[1]!.json.errors[0].message).toMatch(/revoked/);
    expect(answers[2]!.json.errors[0].message).toMatch(/refreshed: use the new one/);
    for (const a of answers) expect(a.text).not.toMatch(/session/i);
    expect((await k.call(VERSION, { auth: { bearer: 'some-other-vendors-token' } })).json.errors[0].message).toMatch(/not one Keyfob issued/);
    expect((await k.call(VERSION, { auth: { bearer: refreshed.json.access_token } })).status).toBe(200);
    // A refresh token works once.
    expect((await k.call(T, { method: 'POST', json: { grant_type: 'refresh_token', refresh_token: refreshable.refresh_token } })).status).toBe(401);
  });

  it('gives two concurrent refreshes of one token one new token', async () => {
    const { refresh_token } = (await create(ivy, { expires_in: 3600, refreshable: true })).json;
    const replies = await Promise.all(Array.from({ length: 5 }, () => k.call(T, { method: 'POST', json: { grant_type: 'refresh_token', refresh_token } })));
    expect(replies.filter((r) => r.status === 200).length).toBe(1);
  });

  it('holds scopes to the user, at each request', async () => {
    expect((await create(ivy, { scope: 'applied-permissions/admin' })).status).toBe(403);
    expect((await create(ivy, { scope: 'artifact:libs-release:r' })).json.errors[0].message).toMatch(/has no meaning in Keyfob/);
    const ops = { basic: ['ops', 'ops-Password-1'] as [string, string] };
    const adminToken = (await create(ops, { scope: 'applied-permissions/admin', expires_in: 3600 })).json.access_token;
    const userToken = (await create(ops, { expires_in: 3600 })).json.access_token;
    expect((await k.call('/artifactory/api/security/users', { auth: { bearer: adminToken } })).status).toBe(200);
    const refused = await k.call('/artifactory/api/security/users', { auth: { bearer: userToken } });
    expect(refused.status).toBe(403);
    expect(refused.json.errors[0].message).toMatch(/applied-permissions\/admin/);
    // A user-scoped token cannot mint an admin one.
    expect((await create({ bearer: userToken }, { scope: 'applied-permissions/admin', expires_in: 60 })).status).toBe(403);
    // Demoted: the admin token stops at once, the user token goes on.
    await k.call('/artifactory/api/security/users/ops', { method: 'POST', auth: admin, json: { admin: false } });
    expect((await k.call(VERSION, { auth: { bearer: adminToken } })).status).toBe(403);
    expect((await k.call(VERSION, { auth: { bearer: userToken } })).status).toBe(200);
  });

  it('expires every token unless an admin allows otherwise, and holds non-admins to the longest lifetime', async () => {
    expect((await create(ivy, { expires_in: 0 })).json.errors[0].message).toMatch(/never expire/);
    expect((await create(ivy, { expires_in: 2 * 365 * 24 * 3600 })).status).toBe(400);
    // No expires_in: the default, a year.
    expect((await create(ivy, {})).json.expires_in).toBe(365 * 24 * 3600);
    const policy = { defaultExpiresInSeconds: 3600, maxExpiresInSeconds: 86400, allowNonExpiring: true };
    expect((await k.call('/api/v1/settings/tokenPolicy', { method: 'PUT', auth: ivy, json: policy })).status).toBe(403);
    expect((await k.call('/api/v1/settings/tokenPolicy', { method: 'PUT', auth: admin, json: policy })).json).toEqual(policy);
    const forever = await create(ivy, { expires_in: 0 });
    expect(forever.status).toBe(200);
    expect(forever.json.expires_in).toBeUndefined();
    expect(payloadAsGoReadsIt(forever.json.access_token).exp).toBeUndefined();
    expect((await create(ivy, {})).json.expires_in).toBe(3600);
    expect((await create(ivy, { expires_in: 86401 })).status).toBe(400);
    await k.call('/api/v1/settings/tokenPolicy', {
      method: 'PUT',
      auth: admin,
      json: { defaultExpiresInSeconds: 31536000, maxExpiresInSeconds: 31536000, allowNonExpiring: false },
    });
  });

  it("lists, describes and revokes own tokens; admins see and end anyone's", async () => {
    await k.createUser('max', 'max-Password-1');
    const max = { basic: ['max', 'max-Password-1'] as [string, string] };
    const mine = (await create(max, { description: 'laptop', expires_in: 600 })).json;
    const list = await k.call(T, { auth: max });
    expect(list.json.tokens).toEqual([
      expect.objectContaining({ token_id: mine.token_id, description: 'laptop', subject: 'jfac@keyfob/users/max', refreshable: false }),
    ]);
    expect((await k.call(`${T}/me`, { auth: { bearer: mine.access_token } })).json.token_id).toBe(mine.token_id);
    // Another user's token is not there for ivy, nor can ivy revoke it.
    expect((await k.call(`${T}/${mine.token_id}`, { auth: ivy })).status).toBe(404);
    expect((await k.call(`${T}/${mine.token_id}`, { method: 'DELETE', auth: ivy })).status).toBe(204);
    expect((await k.call(VERSION, { auth: { bearer: mine.access_token } })).status).toBe(200);
    // Admin: sees it, and ends all of max's.
    expect((await k.call(`${T}?username=max`, { auth: admin })).json.tokens).toHaveLength(1);
    // Revoke All API Keys leaves tokens alone, as in Artifactory.
    await k.call('/artifactory/api/security/apiKey?deleteAll=1', { method: 'DELETE', auth: admin });
    expect((await k.call(VERSION, { auth: { bearer: mine.access_token } })).status).toBe(200);
    expect((await k.call('/api/v1/users/max/tokens', { method: 'DELETE', auth: admin })).json.info).toMatch(/1 token/);
    expect((await k.call(VERSION, { auth: { bearer: mine.access_token } })).status).toBe(401);
    // By value.
    const another = (await create(max, { expires_in: 600 })).json;
    const byValue = await k.call(`${T}/revoke`, { method: 'DELETE', auth: max, json: { token: another.access_token } });
    expect(byValue.json).toEqual({ 'revoked-token-id': another.token_id });
    expect((await k.call(VERSION, { auth: { bearer: another.access_token } })).status).toBe(401);
    // Every token.
    const last = (await create(max, { expires_in: 600 })).json.access_token;
    expect((await k.call('/api/v1/tokens', { method: 'DELETE', auth: admin })).status).toBe(200);
    expect((await k.call(VERSION, { auth: { bearer: last } })).status).toBe(401);
  });

  it('needs an unlock, not just a session, to make a token; a token cannot change how its user signs in', async () => {
    await k.createUser('una', 'una-Password-1');
    const token = (await k.call('/api/v1/session', { method: 'POST', json: { username: 'una', password: 'una-Password-1' } })).json.token;
    expect((await create({ bearer: token }, { expires_in: 60 })).status).toBe(200);
    await k.call('/api/v1/session/lock', { method: 'POST', auth: { bearer: token } });
    expect((await create({ bearer: token }, { expires_in: 60 })).json.errors[0].code).toBe('UNLOCK_REQUIRED');
    const access = (await create({ basic: ['una', 'una-Password-1'] }, { expires_in: 600 })).json.access_token;
    const asToken = { bearer: access };
    expect((await k.call('/api/v1/profile/encryptedPassword', { auth: asToken })).status).toBe(403);
    expect((await k.call('/api/v1/profile', { method: 'PATCH', auth: asToken, json: { email: 'x@evil.example' } })).status).toBe(403);
    expect((await k.call('/artifactory/api/security/apiKey', { method: 'POST', auth: asToken })).status).toBe(403);
  });

  it('keeps a token working when its password expires, as an API key does', async () => {
    await k.createUser('exp', 'exp-Password-1');
    const token = (await create({ basic: ['exp', 'exp-Password-1'] }, { expires_in: 600 })).json.access_token;
    await k.call('/artifactory/api/security/users/authorization/expirePassword/exp', { method: 'POST', auth: admin });
    expect((await k.call(VERSION, { auth: { basic: ['exp', 'exp-Password-1'] } })).json.errors[0].code).toBe('PASSWORD_EXPIRED');
    expect((await k.call(VERSION, { auth: { bearer: token } })).status).toBe(200);
  });

  it('refuses bad token requests plainly, never with a 500', async () => {
    for (const body of ['{"expires_in":"soon"}', '[1,2]', '{"grant_type":"password"}', '{"grant_type":"refresh_token"}', 'not json']) {
      const reply = await k.call(T, { method: 'POST', auth: ivy, body, headers: { 'content-type': 'application/json' } });
      expect(reply.status).toBe(400);
      expect(reply.json.errors[0].message).toBeTruthy();
    }
    expect(
      (
        await k.call(T, {
          method: 'POST',
          body: 'grant_type=refresh_token&refresh_token=kfr_nope',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        })
      ).status,
    ).toBe(401);
    expect((await create(ivy, { username: 'ops', expires_in: 60 })).status).toBe(403);
  });
});
