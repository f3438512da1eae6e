/**
 * Regenerating the API key without an outage, over real HTTP: the old key works beside the new one for the
 * overlap the user picked, is shown as the old key with its end and last use, stops at its end (on the
 * server's test clock) or when ended early, and Artifactory's own regenerate stays immediate.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startKeyfob, type RunningKeyfob } from '../helpers/keyfob';

const VERSION = '/artifactory/api/system/version';
const KEY = '/api/v1/profile/apiKey';
const HOUR = 3_600;
const NO_USAGE = { clients: [], daily: [] };

describe('regenerating the API key with an overlap', () => {
  let k: RunningKeyfob;
  let session: { bearer: string };
  beforeAll(async () => {
    k = await startKeyfob({ KEYFOB_API_KEY_OVERLAP_MAX_HOURS: '24' });
    await k.createUser('olga', 'olga-Password-1');
  });
  // A sign-in is an unlock, which the first test's clock outlives.
  beforeEach(async () => {
    session = { bearer: (await k.call('/api/v1/session', { method: 'POST', json: { username: 'olga', password: 'olga-Password-1' } })).json.token };
  });
  afterAll(() => k?.close());

  const regenerate = (overlapSeconds?: number) =>
    k.call(KEY, { method: 'PUT', auth: session, ...(overlapSeconds === undefined ? {} : { json: { overlapSeconds } }) });
  const status = async (apiKey: string) => (await k.call(VERSION, { auth: { apiKey } })).status;
  const asBasic = async (apiKey: string) => (await k.call(VERSION, { auth: { basic: ['olga', apiKey] } })).status;
  const profile = async () => (await k.call('/api/v1/profile', { auth: session })).json;

  it('keeps the old key working until the overlap ends, then refuses it at once', async () => {
    const old = (await regenerate()).json.apiKey as string;
    const reply = await regenerate(HOUR);
    expect(reply.status).toBe(200);
    const fresh = reply.json.apiKey as string;
    const endsAt = new Date(k.now() + HOUR * 1000).toISOString();
    expect(reply.json.summary.previous).toEqual({ masked: `${old.slice(0, 4)}••••••••${old.slice(-4)}`, endsAt, lastUsedAt: null, usage: NO_USAGE });
    for (const key of [old, fresh]) {
      expect(await status(key)).toBe(200);
      expect(await asBasic(key)).toBe(200);
    }
    // The old key's own last use is what tells whether anything still needs moving.
    await k.settle();
    const { previous, usage } = (await profile()).apiKey;
    expect(previous).toEqual({ masked: reply.json.summary.previous.masked, endsAt, lastUsedAt: new Date(k.now()).toISOString(), usage: expect.any(Object) });
    // Each key's uses are its own: the two calls with the old key (header, Basic) and two with the new one.
    const today = new Date(k.now()).toISOString().slice(0, 10);
    for (const each of [previous.usage, usage]) {
      expect(each.daily).toEqual([{ day: today, uses: 2 }]);
      expect(each.clients).toEqual([{ address: '127.0.0.1', userAgent: 'node', client: 'node', lastUsedAt: new Date(k.now()).toISOString() }]);
    }
    expect((await profile()).apiKeyOverlapMaxSeconds).toBe(24 * HOUR);

    await k.advance(HOUR * 1000 - 1);
    expect(await status(old)).toBe(200);
    await k.advance(1);
    const refused = await k.call(VERSION, { auth: { apiKey: old } });
    expect(refused.status).toBe(401);
    expect(refused.json.errors[0].message).toBe(`This API key was replaced; it stopped working at ${endsAt}: use the new key`);
    expect(await asBasic(old)).toBe(401);
    expect(await status(fresh)).toBe(200);
    expect((await profile()).apiKey.previous).toBeNull();
  });

  it('ends the old key early on request, and says so when there is none', async () => {
    const old = (await regenerate()).json.apiKey as string;
    const fresh = (await regenerate(24 * HOUR)).json.apiKey as string;
    expect(await status(old)).toBe(200);
    const ended = await k.call(`${KEY}/previous`, { method: 'DELETE', auth: session });
    expect(ended.status).toBe(200);
    expect(ended.json.apiKey.previous).toBeNull();
    expect(await status(old)).toBe(401);
    expect(await status(fresh)).toBe(200);
    expect((await k.call(`${KEY}/previous`, { method: 'DELETE', auth: session })).status).toBe(404);
    const [event] = await k.sql("select count(*) as n from audit_events where type = 'api-key-overlap-ended'");
    expect(event).toEqual({ n: 1 });
  });

  it('keeps one old key at a time, and Artifactory’s regenerate and revoke end every key at once', async () => {
    const first = (await regenerate()).json.apiKey as string;
    const second = (await regenerate(HOUR)).json.apiKey as string;
    const third = (await regenerate(HOUR)).json.apiKey as string;
    expect([await status(first), await status(second), await status(third)]).toEqual([401, 200, 200]);

    const fourth = (await k.call('/artifactory/api/security/apiKey', { method: 'PUT', auth: { basic: ['olga', 'olga-Password-1'] } })).json.apiKey as string;
    expect([await status(second), await status(third), await status(fourth)]).toEqual([401, 401, 200]);

    const fifth = (await regenerate(HOUR)).json.apiKey as string;
    expect((await k.call(KEY, { method: 'DELETE', auth: session })).status).toBe(200);
    expect([await status(fourth), await status(fifth)]).toEqual([401, 401]);
  });

  it('refuses an overlap beyond the server’s longest, or not a whole number of seconds, in the usual shape', async () => {
    const before = (await regenerate()).json.apiKey as string;
    for (const [overlapSeconds, message] of [
      [7 * 24 * HOUR, 'The old key can keep working for at most 24 hours on this server'],
      [-1, null],
      [1.5, null],
      ['3600', null],
    ] as const) {
      const reply = await regenerate(overlapSeconds as number);
      expect(reply.status, String(overlapSeconds)).toBe(400);
      if (message) expect(reply.json.errors[0].message).toBe(message);
    }
    // Nothing changed: the key from before still works, alone.
    expect(await status(before)).toBe(200);
    expect((await profile()).apiKey.previous).toBeNull();
  });
});
