/**
 * Housekeeping on every runtime: expired sessions, reset links, OAuth flows, ended throttle windows and
 * mail delivered over a week ago are deleted on schedule; live ones and undelivered mail stay. On Node,
 * Bun and Deno the timer runs (every 200 ms here); on workerd the Cron Trigger is fired through Miniflare's
 * `/cdn-cgi/handler/scheduled` route.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKeyfob, type RunningKeyfob } from '../helpers/keyfob';

const V = '/api/v1';
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

async function waitUntil(what: string, check: () => Promise<boolean>, ms = 15_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('housekeeping', () => {
  let k: RunningKeyfob;
  beforeAll(async () => {
    // A public URL: the Worker has no listen address to build reset links from.
    k = await startKeyfob({ KEYFOB_HOUSEKEEPING_INTERVAL_MS: '200', KEYFOB_SESSION_IDLE_MINUTES: '60', KEYFOB_PUBLIC_URL: 'http://keyfob.example.test' });
    await k.createUser('hana', 'hana-Password-1');
  });
  afterAll(() => k.close());

  const rows = async (table: string, where = '1 = 1', args: (string | number)[] = []) =>
    Number((await k.sql(`select count(*) as n from ${table} where ${where}`, args))[0]!.n);
  const signIn = async () => (await k.call(`${V}/session`, { method: 'POST', json: { username: 'hana', password: 'hana-Password-1' } })).json.token as string;
  const runHousekeeping = async () => {
    if (k.runtime === 'workerd') expect((await k.call('/cdn-cgi/handler/scheduled?cron=*/10+*+*+*+*')).status).toBe(200);
  };

  it('deletes what has expired, and keeps what still works', async () => {
    const expiring = await signIn();
    // A reset link, its mail and two throttle windows (the name's and the address's).
    expect((await k.call(`${V}/passwordReset`, { method: 'POST', json: { username: 'hana' } })).status).toBe(202);
    await waitUntil('the reset link is made', async () => (await rows('password_resets')) === 1);
    // A sign-in that fails: an address throttle window, and a failure count that is not housekeeping's to clear.
    expect((await k.call(`${V}/session`, { method: 'POST', json: { username: 'nobody-here', password: 'wrong-Password-1' } })).status).toBe(401);
    await k.sql(
      `insert into oauth_flows (state_hash, provider, purpose, sealed_secrets, created_at, expires_at) values ('expired-flow', 'corp', 'bind', 'v1.x', ?, ?)`,
      [k.now(), k.now() + 10 * MINUTE],
    );
    expect(await rows('throttles')).toBeGreaterThanOrEqual(2);

    await k.advance(61 * MINUTE);
    const live = await signIn();
    await k.sql(
      `insert into oauth_flows (state_hash, provider, purpose, sealed_secrets, created_at, expires_at) values ('live-flow', 'corp', 'bind', 'v1.x', ?, ?)`,
      [k.now(), k.now() + 10 * MINUTE],
    );
    // The first mail went out eight days ago; a second one is still waiting to go.
    await k.sql('update outbox set delivered_at = ?', [k.now() - 8 * DAY]);
    expect((await k.call(`${V}/passwordReset`, { method: 'POST', json: { username: 'hana' } })).status).toBe(202);
    // (On Node the timer may already have deleted the first link: count only the new one.)
    await waitUntil('the second reset link is made', async () => (await rows('password_resets', 'created_at >= ?', [k.now()])) === 1);

    await runHousekeeping();
    // A pass that ran before the outbox update may already have deleted the link, flow and session, so
    // the delivered mail is waited for too: it can only go in a pass after the update.
    await waitUntil(
      'expired rows are deleted',
      async () => (await rows('password_resets')) === 1 && (await rows('oauth_flows')) === 1 && (await rows('outbox')) === 1,
    );
    await waitUntil('the expired session is deleted', async () => (await rows('sessions')) === 1);
    expect(await rows('oauth_flows', `state_hash = 'live-flow'`)).toBe(1);
    expect(await rows('outbox')).toBe(1);
    expect(await rows('outbox', 'delivered_at is null')).toBe(1);
    // The windows running now are the second request's; the ones that ended are gone.
    expect(await rows('throttles', 'window_ends_at <= ?', [k.now()])).toBe(0);
    expect(await rows('throttles')).toBeGreaterThanOrEqual(1);
    expect(await rows('login_failures')).toBe(1);

    expect((await k.call(`${V}/profile`, { auth: { bearer: live } })).status).toBe(200);
    expect((await k.call(`${V}/profile`, { auth: { bearer: expiring } })).status).toBe(401);
  });
});
