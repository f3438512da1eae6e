/**
 * Where each credential is used, over real HTTP on every runtime: counted in memory and written as rollups
 * (no write per request), shown with the client's address and agent on the API key, tokens and sessions;
 * and a user's own sessions listed and ended (ASVS 7.5.2), only with the password or a fresh unlock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKeyfob, type RunningKeyfob } from '../helpers/keyfob';

const V = '/api/v1';
const VERSION = '/artifactory/api/system/version';
const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0';
const FLUSH_MS = 30_000;

describe('usage per credential', () => {
  let k: RunningKeyfob;
  const pat = { basic: ['pat', 'pat-Password-1'] as [string, string] };
  beforeAll(async () => {
    // Housekeeping writes what waits too: at its default 10 minutes, it stays out of these tests' way.
    k = await startKeyfob();
    await k.createUser('pat', 'pat-Password-1');
    await k.createUser('quinn', 'quinn-Password-1');
  });
  afterAll(() => k.close());

  const rows = async (table: string) => Number((await k.sql(`select count(*) as n from ${table}`))[0]!.n);
  const signIn = async (name: string, userAgent: string) =>
    (await k.call(`${V}/session`, { method: 'POST', headers: { 'user-agent': userAgent }, json: { username: name, password: `${name}-Password-1` } })).json
      .token as string;

  it('counts uses in memory and writes them as rollups, not once per request', async () => {
    const apiKey = (await k.call('/artifactory/api/security/apiKey', { method: 'POST', auth: pat })).json.apiKey as string;
    for (let i = 0; i < 20; i++) {
      expect((await k.call(VERSION, { auth: { apiKey }, headers: { 'user-agent': 'curl/8.5.0' } })).status).toBe(200);
    }
    // Twenty uses, and nothing written yet; a read shows them all the same, and writes nothing either.
    expect(await rows('credential_usage')).toBe(0);
    const before = (await k.call(`${V}/profile`, { auth: pat })).json.apiKey.usage;
    expect(before.daily[0].uses).toBe(20);
    expect(before.clients[0]).toMatchObject({ address: '127.0.0.1', client: 'curl/8.5.0' });
    await k.advance(1_000);
    for (let i = 0; i < 5; i++) await k.call(`${V}/profile`, { auth: { apiKey } });
    expect(await rows('credential_usage')).toBe(0);
    await k.advance(FLUSH_MS);
    await k.call(VERSION, { auth: { apiKey }, headers: { 'user-agent': 'jfrog-cli-go/2.52.0' } });
    expect(await k.sql('select day, uses from credential_usage')).toEqual([{ day: Math.floor(k.now() / 86_400_000), uses: 26 }]);
    expect((await k.sql('select user_agent from credential_clients order by last_used_at')).map((r) => r.user_agent)).toEqual([
      'curl/8.5.0',
      'node',
      'jfrog-cli-go/2.52.0',
    ]);

    // The popup's view: the newest client first, with the agent as a person reads it.
    const key = (await k.call(`${V}/profile`, { auth: pat })).json.apiKey;
    expect(key.usage.clients[0]).toEqual({
      address: '127.0.0.1',
      userAgent: 'jfrog-cli-go/2.52.0',
      client: 'jfrog-cli-go/2.52.0',
      lastUsedAt: new Date(k.now()).toISOString(),
    });
    expect(key.usage.clients.slice(1).map((c: { userAgent: string }) => c.userAgent)).toEqual(['node', 'curl/8.5.0']);
    expect(key.usage.daily).toEqual([{ day: new Date(k.now()).toISOString().slice(0, 10), uses: 26 }]);
  });

  it('shows each token its own uses in the list of one’s tokens', async () => {
    const session = await signIn('pat', CHROME);
    const make = async (description: string) =>
      (await k.call('/access/api/v1/tokens', { method: 'POST', auth: { bearer: session }, json: { description } })).json.access_token as string;
    const ci = await make('ci');
    await make('unused');
    expect((await k.call(VERSION, { auth: { bearer: ci }, headers: { 'user-agent': 'Terraform/1.9.0 terraform-provider-artifactory/12.0' } })).status).toBe(
      200,
    );
    const listed = (await k.call('/access/api/v1/tokens', { auth: { bearer: session } })).json.tokens as { description: string; usage: unknown }[];
    const byName = Object.fromEntries(listed.map((t) => [t.description, t.usage]));
    expect(byName.ci).toMatchObject({ clients: [{ address: '127.0.0.1', client: 'Terraform/1.9.0' }], daily: [{ uses: 1 }] });
    expect(byName.unused).toEqual({ clients: [], daily: [] });
  });

  it('lists the user’s sessions with where each began and was last used, and ends any of them', async () => {
    await k.advance(1_000);
    const laptop = await signIn('pat', CHROME);
    await k.advance(1_000);
    const desktop = await signIn('pat', FIREFOX);
    const other = await signIn('quinn', CHROME);
    await k.call(`${V}/profile`, { auth: { bearer: desktop }, headers: { 'user-agent': FIREFOX } });

    const list = await k.call(`${V}/sessions`, { auth: { bearer: laptop } });
    expect(list.status, list.text).toBe(200);
    const sessions = list.json.sessions as { id: string; current: boolean; client: string; signedInFrom: string; usage: { clients: unknown[] } }[];
    // pat's only (quinn's is not theirs to see), newest first.
    expect(sessions.length).toBeGreaterThanOrEqual(2);
    expect(sessions[0]).toMatchObject({ current: false, client: 'Firefox on Windows', signedInFrom: '127.0.0.1' });
    expect(sessions[0]!.usage.clients).toEqual([expect.objectContaining({ client: 'Firefox on Windows', address: '127.0.0.1' })]);
    expect(sessions[1]).toMatchObject({ current: true, client: 'Chrome on Linux' });
    // The id names the session; it is no credential.
    expect((await k.call(`${V}/profile`, { auth: { bearer: sessions[0]!.id } })).status).toBe(401);
    expect(JSON.stringify(list.json)).not.toContain(desktop);

    // An API key cannot end sessions (a script's credential must not sign its owner out); a locked session must unlock first.
    const apiKey = (await k.call(`${V}/profile/apiKey`, { auth: { bearer: laptop } })).json.apiKey as string;
    expect((await k.call(`${V}/sessions/${sessions[0]!.id}`, { method: 'DELETE', auth: { apiKey } })).status).toBe(403);
    await k.call(`${V}/session/lock`, { method: 'POST', auth: { bearer: laptop } });
    const locked = await k.call(`${V}/sessions/${sessions[0]!.id}`, { method: 'DELETE', auth: { bearer: laptop } });
    expect(locked.status).toBe(403);
    expect(locked.json.errors[0].code).toBe('UNLOCK_REQUIRED');
    await k.call(`${V}/session/unlock`, { method: 'POST', auth: { bearer: laptop }, json: { password: 'pat-Password-1' } });

    // Another user's session is no session of theirs: not found, and it goes on working.
    const quinns = (await k.call(`${V}/sessions`, { auth: { bearer: other } })).json.sessions as { id: string }[];
    expect((await k.call(`${V}/sessions/${quinns[0]!.id}`, { method: 'DELETE', auth: { bearer: laptop } })).status).toBe(404);
    expect((await k.call(`${V}/profile`, { auth: { bearer: other } })).status).toBe(200);
    for (const odd of ['x', 'a'.repeat(64), '%00'])
      expect((await k.call(`${V}/sessions/${odd}`, { method: 'DELETE', auth: { bearer: laptop } })).status).toBe(404);

    const ended = await k.call(`${V}/sessions/${sessions[0]!.id}`, { method: 'DELETE', auth: { bearer: laptop } });
    expect(ended.status, ended.text).toBe(200);
    expect((await k.call(`${V}/profile`, { auth: { bearer: desktop } })).status).toBe(401);
    expect((await k.call(`${V}/profile`, { auth: { bearer: laptop } })).status).toBe(200);
    const after = (await k.call(`${V}/sessions`, { auth: { bearer: laptop } })).json.sessions as { id: string }[];
    expect(after.map((s) => s.id)).not.toContain(sessions[0]!.id);
    const activity = (await k.call(`${V}/profile/activity`, { auth: { bearer: laptop } })).json;
    expect(JSON.stringify(activity)).toContain('session-ended');
  });

  it('keeps nothing of it where the operator turned usage tracking off', async () => {
    const off = await startKeyfob({ KEYFOB_USAGE_TRACKING: 'false' });
    try {
      await off.createUser('pat', 'pat-Password-1');
      const apiKey = (await off.call('/artifactory/api/security/apiKey', { method: 'POST', auth: pat })).json.apiKey as string;
      for (let i = 0; i < 3; i++) await off.call(VERSION, { auth: { apiKey }, headers: { 'user-agent': 'curl/8.5.0' } });
      await off.advance(FLUSH_MS);
      await off.call(VERSION, { auth: { apiKey } });
      expect((await off.call(`${V}/profile`, { auth: pat })).json.apiKey.usage).toEqual({ clients: [], daily: [] });
      expect(await off.sql('select * from credential_usage')).toEqual([]);
      expect(await off.sql('select * from credential_clients')).toEqual([]);
    } finally {
      await off.close();
    }
  });

  it('keeps the newest five clients of a credential and deletes the rest in housekeeping', async () => {
    const main = k;
    k = await startKeyfob({ KEYFOB_HOUSEKEEPING_INTERVAL_MS: '200' });
    try {
      await k.createUser('quinn', 'quinn-Password-1');
      await prunes();
    } finally {
      await k.close();
      k = main;
    }
  });

  async function prunes() {
    const session = await signIn('quinn', CHROME);
    const token = (await k.call('/access/api/v1/tokens', { method: 'POST', auth: { bearer: session }, json: { description: 'many' } })).json.access_token;
    for (const batch of [0, 1]) {
      for (let i = 0; i < 4; i++) {
        await k.call(VERSION, { auth: { bearer: token }, headers: { 'user-agent': `agent-${batch}-${i}/1.0` } });
        await k.advance(1_000); // each client a later last use than the one before
      }
      await k.advance(FLUSH_MS);
      await k.call(`${V}/profile`, { auth: { bearer: session } }); // the first request past the interval writes what waits
    }
    const id = (await k.call('/access/api/v1/tokens', { auth: { bearer: session } })).json.tokens.find((t: { description: string }) => t.description === 'many')
      .token_id as string;
    const count = async () => Number((await k.sql('select count(*) as n from credential_clients where credential = ?', [`token:${id}`]))[0]!.n);
    // Eight stored (two writes of four), unless housekeeping (every 200 ms here) has already pruned them to five.
    expect([5, 8]).toContain(await count());
    if (k.runtime === 'workerd') await k.call('/cdn-cgi/handler/scheduled?cron=*/10+*+*+*+*');
    const deadline = Date.now() + 15_000;
    while ((await count()) > 5 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await count()).toBe(5);
    const listed = (await k.call('/access/api/v1/tokens', { auth: { bearer: session } })).json.tokens.find((t: { token_id: string }) => t.token_id === id);
    expect(listed.usage.clients.map((c: { userAgent: string }) => c.userAgent)).toEqual([
      'agent-1-3/1.0',
      'agent-1-2/1.0',
      'agent-1-1/1.0',
      'agent-1-0/1.0',
      'agent-0-3/1.0',
    ]);
  }
});
