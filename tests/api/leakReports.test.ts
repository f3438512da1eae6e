/**
 * Leak reports over real HTTP: GitHub's secret-scanning partner payload, signed with a real P-256 key (as
 * GitHub signs), revokes every working credential it names and queues the owner's mail; a report that is
 * unsigned, signed by another key or changed after signing revokes nothing; the answer names no user and
 * repeats no token. With the flag action, an unsigned report from an allowed address flags and mails only.
 */
import { createHash, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startKeyfob, type RunningKeyfob } from '../helpers/keyfob';

const REPORTS = '/api/v1/leakReports';
const VERSION = '/artifactory/api/system/version';
const KEY_ID = 'bcb53661c06b4728e59d897fb6165d5c9cda0fd9cdf9d09ead458168deb7518c';

function keyPair() {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { pem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), privateKey };
}

/** What GitHub sends: the body, and a base64 DER ECDSA signature of it with the key's identifier. */
function signed(body: string, privateKey: KeyObject, keyId = KEY_ID) {
  return { 'Github-Public-Key-Identifier': keyId, 'Github-Public-Key-Signature': sign('sha256', Buffer.from(body), privateKey).toString('base64') };
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('leak reports, revoking', () => {
  const github = keyPair();
  let k: RunningKeyfob;
  const alice = { basic: ['alice', 'alice-Password-1'] as [string, string] };
  beforeAll(async () => {
    k = await startKeyfob({
      KEYFOB_LEAK_REPORT_KEYS: JSON.stringify({ public_keys: [{ key_identifier: KEY_ID, key: github.pem, is_current: true }] }),
      // Not this test's address: its unsigned reports are not believed.
      KEYFOB_LEAK_REPORT_UNSIGNED_FROM: '192.0.2.0/24',
    });
    await k.createUser('alice', 'alice-Password-1');
  });
  afterAll(() => k?.close());

  const report = (body: string, headers: Record<string, string>) =>
    k.call(REPORTS, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
  const newApiKey = async () => (await k.call('/artifactory/api/security/apiKey', { method: 'PUT', auth: alice })).json.apiKey as string;
  const works = async (auth: any) => (await k.call(VERSION, { auth })).status === 200;

  it('revokes nothing on a report that is unsigned, signed by another key, under another key id, or changed after signing', async () => {
    const apiKey = await newApiKey();
    const body = JSON.stringify([{ token: apiKey, type: 'keyfob_api_key', url: 'https://github.com/o/r/blob/x/ci.yml', source: 'content' }]);
    const attempts = [
      {},
      signed(body, keyPair().privateKey),
      signed(body, github.privateKey, 'another-key'),
      signed(body.replace('ci.yml', 'cd.yml'), github.privateKey),
      { 'Github-Public-Key-Identifier': KEY_ID, 'Github-Public-Key-Signature': 'not base64 at all!' },
    ];
    for (const headers of attempts) {
      const reply = await report(body, headers);
      expect(reply.status).toBe(401);
      expect(reply.json.errors[0]).toMatchObject({ status: 401 });
      expect(reply.text).not.toContain(apiKey);
    }
    expect(await works({ apiKey })).toBe(true);
    expect(await k.sql("select count(*) as n from audit_events where type = 'credential-leaked'")).toEqual([{ n: 0 }]);
  });

  it('revokes each working credential named, says which were valid by hash only, and queues the owner’s mail', async () => {
    const apiKey = await newApiKey();
    const token = (await k.call('/access/api/v1/tokens', { method: 'POST', auth: alice, json: { description: 'deploy', refreshable: true } })).json;
    const session = (await k.call('/api/v1/session', { method: 'POST', json: { username: 'alice', password: 'alice-Password-1' } })).json.token as string;
    const typo = apiKey.slice(0, 20) + (apiKey[20] === 'x' ? 'y' : 'x') + apiKey.slice(21);
    expect(await works({ bearer: token.access_token })).toBe(true);
    const found = [
      { token: apiKey, type: 'keyfob_api_key', url: 'https://github.com/o/r/blob/main/ci.yml', source: 'content' },
      { token: token.access_token, type: 'keyfob_access_token', url: 'https://github.com/o/r/issues/1', source: 'issue' },
      { token: session, type: 'keyfob_session' },
      { token: typo, type: 'keyfob_api_key' },
      { token: 'not-a-credential', type: 'other' },
      { token: apiKey, type: 'keyfob_api_key' },
    ];
    const body = JSON.stringify(found);
    const reply = await report(body, signed(body, github.privateKey));
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual([
      { token_hash: sha256(apiKey), token_type: 'keyfob_api_key', label: 'true_positive' },
      { token_hash: sha256(token.access_token), token_type: 'keyfob_access_token', label: 'true_positive' },
      { token_hash: sha256(session), token_type: 'keyfob_session', label: 'true_positive' },
      { token_hash: sha256(typo), token_type: 'keyfob_api_key', label: 'false_positive' },
      { token_hash: sha256('not-a-credential'), token_type: 'other', label: 'false_positive' },
      { token_hash: sha256(apiKey), token_type: 'keyfob_api_key', label: 'true_positive' },
    ]);
    for (const secret of [apiKey, token.access_token, session, 'alice']) expect(reply.text).not.toContain(secret);

    // Each is refused at once, the refresh token too (its token's family is revoked).
    expect(await works({ apiKey })).toBe(false);
    expect(await works({ basic: ['alice', apiKey] })).toBe(false);
    expect(await works({ bearer: token.access_token })).toBe(false);
    expect((await k.call('/api/v1/profile', { auth: { bearer: session } })).status).toBe(401);
    const refreshed = await k.call('/access/api/v1/tokens', {
      method: 'POST',
      body: `grant_type=refresh_token&refresh_token=${token.refresh_token}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(refreshed.status).toBe(401);
    // The password still works: the leak was of the credentials, and only they end.
    expect(await works(alice)).toBe(true);

    const events = await k.sql(
      "select e.detail as detail from audit_events e join users u on u.id = e.user_id where u.name_key = 'alice' and e.type = 'credential-leaked' order by e.id",
    );
    expect(events.map((e) => JSON.parse(String(e.detail)))).toEqual([
      { credential: 'api-key', action: 'revoked', url: 'https://github.com/o/r/blob/main/ci.yml', source: 'content' },
      { credential: 'access-token', action: 'revoked', url: 'https://github.com/o/r/issues/1', source: 'issue' },
      { credential: 'session', action: 'revoked' },
    ]);
    const mail = await k.sql("select recipient, subject from outbox where subject like '%found in public%'");
    expect(mail).toEqual(Array(3).fill({ recipient: 'alice@example.com', subject: 'Your Keyfob credential was found in public and revoked' }));

    // Reported again: no longer valid, and nothing more is recorded or mailed.
    const again = await report(body, signed(body, github.privateKey));
    expect(again.json.map((v: { label: string }) => v.label)).toEqual(Array(6).fill('false_positive'));
    expect(await k.sql("select count(*) as n from audit_events where type = 'credential-leaked'")).toEqual([{ n: 3 }]);
  });

  it('ends the family of a refresh token whose access token has expired (refreshing it would still work)', async () => {
    const token = (await k.call('/access/api/v1/tokens', { method: 'POST', auth: alice, json: { expires_in: 600, refreshable: true } })).json;
    await k.advance(601_000);
    expect(await works({ bearer: token.access_token })).toBe(false);
    const body = JSON.stringify([{ token: token.refresh_token, type: 'keyfob_refresh_token' }]);
    expect((await report(body, signed(body, github.privateKey))).json[0].label).toBe('true_positive');
    const refreshed = await k.call('/access/api/v1/tokens', {
      method: 'POST',
      body: `grant_type=refresh_token&refresh_token=${token.refresh_token}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(refreshed.status).toBe(401);
  });

  it('revokes the key reported, not one made since', async () => {
    const leaked = await newApiKey();
    const current = await newApiKey();
    const body = JSON.stringify([{ token: leaked }]);
    expect((await report(body, signed(body, github.privateKey))).json[0].label).toBe('false_positive');
    expect(await works({ apiKey: current })).toBe(true);
  });

  it('ends only the old key when the old key of an overlap is reported, and the new one goes on', async () => {
    const session = (await k.call('/api/v1/session', { method: 'POST', json: { username: 'alice', password: 'alice-Password-1' } })).json.token as string;
    const old = await newApiKey();
    const fresh = (await k.call('/api/v1/profile/apiKey', { method: 'PUT', auth: { bearer: session }, json: { overlapSeconds: 3600 } })).json.apiKey as string;
    expect(await works({ apiKey: old })).toBe(true);
    const body = JSON.stringify([{ token: old }]);
    expect((await report(body, signed(body, github.privateKey))).json[0].label).toBe('true_positive');
    expect(await works({ apiKey: old })).toBe(false);
    expect(await works({ apiKey: fresh })).toBe(true);
  });

  it('answers a malformed report 400 in the usual shape, once it is signed', async () => {
    for (const body of ['[]', '{"token":"x"}', 'not json', JSON.stringify(Array(1001).fill({ token: 'x' })), '[{"token":""}]']) {
      const reply = await report(body, signed(body, github.privateKey));
      expect(reply.status, body.slice(0, 20)).toBe(body.length > 64 * 1024 ? 413 : 400);
      expect(reply.json.errors[0].status).toBe(reply.status);
    }
  });
});

describe('leak reports, flagging', () => {
  let k: RunningKeyfob;
  beforeAll(async () => {
    k = await startKeyfob({ KEYFOB_LEAK_REPORT_UNSIGNED_FROM: '127.0.0.1, ::1', KEYFOB_LEAK_REPORT_ACTION: 'flag' });
    await k.createUser('bob', 'bob-Password-1');
  });
  afterAll(() => k?.close());

  it('believes an unsigned report from an allowed address, and flags and mails without revoking', async () => {
    const apiKey = (await k.call('/artifactory/api/security/apiKey', { method: 'POST', auth: { basic: ['bob', 'bob-Password-1'] } })).json.apiKey as string;
    const reply = await k.call(REPORTS, {
      method: 'POST',
      json: [{ token: apiKey, type: 'gitleaks', url: 'https://git.corp/ops/deploy/-/blob/main/.env', source: 'gitleaks' }],
    });
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual([{ token_hash: sha256(apiKey), token_type: 'gitleaks', label: 'true_positive' }]);
    expect((await k.call(VERSION, { auth: { apiKey } })).status).toBe(200);
    const [event] = await k.sql("select detail from audit_events where type = 'credential-leaked'");
    expect(JSON.parse(String(event!.detail))).toEqual({
      credential: 'api-key',
      action: 'flagged',
      url: 'https://git.corp/ops/deploy/-/blob/main/.env',
      source: 'gitleaks',
    });
    expect(await k.sql("select recipient, subject from outbox where subject like '%found in public%'")).toEqual([
      { recipient: 'bob@example.com', subject: 'Your Keyfob credential was found in public' },
    ]);
    // The same report again (a replay, or a scanner's loop): still valid, but mailed and recorded once a day.
    const again = await k.call(REPORTS, { method: 'POST', json: [{ token: apiKey, source: 'gitleaks\r\nBcc: x@evil.example' }] });
    expect(again.json[0].label).toBe('true_positive');
    expect(await k.sql("select count(*) as n from outbox where subject like '%found in public%'")).toEqual([{ n: 1 }]);
    expect(await k.sql("select count(*) as n from audit_events where type = 'credential-leaked'")).toEqual([{ n: 1 }]);
  });
});

describe('leak reports, not configured', () => {
  it('answers 404 and reads nothing', async () => {
    const k = await startKeyfob();
    try {
      const reply = await k.call(REPORTS, {
        method: 'POST',
        json: [{ token: 'x' }],
        headers: { authorization: `Basic ${Buffer.from(`${ADMIN.name}:${ADMIN.password}`).toString('base64')}` },
      });
      expect(reply.status).toBe(404);
      expect(reply.json.errors[0].message).toBe('Leak reports are not configured on this server');
    } finally {
      await k.close();
    }
  });
});
