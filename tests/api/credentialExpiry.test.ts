/**
 * What a script hears of its credential's coming end: `X-Keyfob-Credential-Expires` on every response to a
 * request made with an access token (JWT or reference token) or the clear password, from 7 days ahead; never
 * for API keys or sessions. And the choice of informational mail (expiry reminders) in the profile.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startKeyfob, TEST_RUNTIME, type Auth, type RunningKeyfob } from '../helpers/keyfob';

const DAY = 24 * 60 * 60_000;
const HEADER = 'x-keyfob-credential-expires';
const VERSION = '/artifactory/api/system/version';
const admin = { basic: [ADMIN.name, ADMIN.password] as [string, string] };
const hal = { basic: ['hal', 'hal-Password-1'] as [string, string] };

// Node's own entry sets the header on the socket's response rather than on the app's Response (api/node.ts):
// the in-process run tests the app's way, and also runs Node's entry to test that one.
const runtimes = TEST_RUNTIME === 'node-inprocess' ? (['node-inprocess', 'node'] as const) : [TEST_RUNTIME];

describe.each(runtimes)('the credential-expires header (%s)', (runtime) => {
  let k: RunningKeyfob;
  beforeAll(async () => {
    k = await startKeyfob({}, { runtime });
    await k.createUser('hal', 'hal-Password-1');
  });
  afterAll(() => k.close());
  const expiresHeader = async (auth: Auth, path = VERSION) => {
    const reply = await k.call(path, { auth });
    expect(reply.status, `${path}: ${reply.text}`).toBeLessThan(500);
    return reply.headers.get(HEADER);
  };

  it('announces a token from 7 days before it expires, and the password under the expiration policy', async () => {
    const policy = { enabled: true, passwordMaxAge: 20, notifyByEmail: false };
    expect((await k.call('/artifactory/api/security/configuration/passwordExpirationPolicy', { method: 'PUT', auth: admin, json: policy })).status).toBe(200);
    // hal's password was set just now, on the server's frozen clock: it expires in 20 days, the token in 15.
    const passwordExpires = new Date(k.now() + 20 * DAY).toISOString();
    const tokenExpires = new Date(k.now() + 15 * DAY).toISOString();
    const token = (await k.call('/access/api/v1/tokens', { method: 'POST', auth: hal, json: { expires_in: 15 * 24 * 60 * 60, include_reference_token: true } }))
      .json;
    const apiKey = (await k.call('/artifactory/api/security/apiKey', { method: 'POST', auth: hal })).json.apiKey as string;
    const jwt = { bearer: token.access_token as string };
    const references: Auth[] = [{ bearer: token.reference_token }, { apiKey: token.reference_token }];

    await k.advance(7 * DAY); // the token: 8 days left; the password: 13
    for (const auth of [jwt, ...references, hal]) expect(await expiresHeader(auth)).toBeNull();

    await k.advance(DAY + 60_000); // the token: just under 7 days left
    for (const auth of [jwt, ...references, { basic: ['hal', token.access_token] } as Auth]) expect(await expiresHeader(auth)).toBe(tokenExpires);
    expect(await expiresHeader(hal)).toBeNull();
    // On an error the handler answers too, and on Keyfob's own calls.
    expect(await expiresHeader(jwt, '/access/api/v1/tokens/no-such-token')).toBe(tokenExpires);
    expect(await expiresHeader(jwt, '/api/v1/profile')).toBe(tokenExpires);

    await k.advance(4 * DAY); // the password: just under 8 days left
    expect(await expiresHeader(hal)).toBeNull();
    await k.advance(DAY); // the password: just under 7 days left
    expect(await expiresHeader(hal)).toBe(passwordExpires);
    expect(await expiresHeader(hal, '/api/v1/profile')).toBe(passwordExpires);

    // API keys never expire, and sessions end by their own rules: neither is announced.
    expect(await expiresHeader({ apiKey })).toBeNull();
    const session = (await k.call('/api/v1/session', { method: 'POST', json: { username: 'hal', password: 'hal-Password-1' } })).json.token as string;
    expect(await expiresHeader({ bearer: session }, '/api/v1/profile')).toBeNull();

    // A request without a credential, or with a refused one, carries none.
    expect((await k.call('/artifactory/api/system/ping')).headers.get(HEADER)).toBeNull();
    await k.advance(2 * DAY); // the token has expired
    const refused = await k.call(VERSION, { auth: jwt });
    expect(refused.status).toBe(401);
    expect(refused.headers.get(HEADER)).toBeNull();
    await k.call('/artifactory/api/security/configuration/passwordExpirationPolicy', { method: 'PUT', auth: { apiKey }, json: { enabled: false } });
  });
});

describe('informational mail, in the profile', () => {
  let k: RunningKeyfob;
  beforeAll(async () => {
    k = await startKeyfob();
    await k.createUser('ida', 'ida-Password-1');
  });
  afterAll(() => k.close());
  const ida = { basic: ['ida', 'ida-Password-1'] as [string, string] };
  const put = (auth: Auth, json: unknown) => k.call('/api/v1/profile/notifications', { method: 'PUT', auth, json });

  it('is on by default, and any credential of the user turns it off and on', async () => {
    expect((await k.call('/api/v1/profile', { auth: ida })).json.notifyInformational).toBe(true);
    const apiKey = (await k.call('/artifactory/api/security/apiKey', { method: 'POST', auth: ida })).json.apiKey as string;
    const off = await put({ apiKey }, { informational: false });
    expect(off.status).toBe(200);
    expect(off.json.notifyInformational).toBe(false);
    expect((await k.call('/api/v1/profile', { auth: ida })).json.notifyInformational).toBe(false);
    // A locked session may choose too: it changes no credential.
    const session = (await k.call('/api/v1/session', { method: 'POST', json: { username: 'ida', password: 'ida-Password-1' } })).json.token as string;
    await k.call('/api/v1/session/lock', { method: 'POST', auth: { bearer: session } });
    expect((await put({ bearer: session }, { informational: true })).json.notifyInformational).toBe(true);
    const events = await k.sql(
      `select e.detail from audit_events e join users u on u.id = e.user_id where u.name = 'ida' and e.type = 'notifications-changed' order by e.id`,
    );
    expect(events.map((row) => JSON.parse(String(row.detail)))).toEqual([{ informational: 'false' }, { informational: 'true' }]);
  });

  it('needs a credential and a boolean', async () => {
    expect((await put(undefined, { informational: false })).status).toBe(401);
    for (const body of [{}, { informational: 'no' }, { informational: 0 }, []]) expect((await put(ida, body)).status).toBe(400);
  });
});
