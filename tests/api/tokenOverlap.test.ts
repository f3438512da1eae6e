/**
 * Refreshing a token without an outage (a Keyfob addition to JFrog's refresh grant): with `overlap_seconds`
 * the old access token (and its reference token) keeps working until the overlap ends, then gets 401 at
 * once; never past its own expiry or the server's maximum; and revoking the family or a leak ends it now.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKeyfob, type RunningKeyfob } from '../helpers/keyfob';

const T = '/access/api/v1/tokens';
const VERSION = '/artifactory/api/system/version';

describe('refreshing a token with an overlap', () => {
  let k: RunningKeyfob;
  const lea = { basic: ['lea', 'lea-Password-1'] as [string, string] };
  beforeAll(async () => {
    k = await startKeyfob({ KEYFOB_API_KEY_OVERLAP_MAX_HOURS: '24', KEYFOB_LEAK_REPORT_UNSIGNED_FROM: '127.0.0.1' });
    await k.createUser('lea', 'lea-Password-1');
  });
  afterAll(() => k.close());

  const make = async () =>
    (await k.call(T, { method: 'POST', auth: lea, json: { description: 'ci', expires_in: 7 * 86_400, refreshable: true, include_reference_token: true } }))
      .json;
  const refresh = (refreshToken: string, extra: Record<string, unknown> = {}) =>
    k.call(T, { method: 'POST', json: { grant_type: 'refresh_token', refresh_token: refreshToken, ...extra } });
  const status = (token: string) => k.call(VERSION, { auth: { bearer: token } }).then((r) => r.status);

  it('keeps the old token working until the overlap ends, then refuses it at once', async () => {
    const old = await make();
    const fresh = await refresh(old.refresh_token, { overlap_seconds: 3600 });
    expect(fresh.status, fresh.text).toBe(200);
    for (const token of [old.access_token, old.reference_token, fresh.json.access_token]) expect(await status(token)).toBe(200);
    // Scripts still on the old token are told when it stops: the overlap's end, not its later expiry.
    const announced = (await k.call(VERSION, { auth: { bearer: old.access_token } })).headers.get('x-keyfob-credential-expires');
    expect(announced).toBe(new Date(k.now() + 3600 * 1000).toISOString());
    // The new token is announced by its own expiry, a week on.
    expect((await k.call(VERSION, { auth: { bearer: fresh.json.access_token } })).headers.get('x-keyfob-credential-expires')).toBe(
      new Date(k.now() + 7 * 86_400_000).toISOString(),
    );
    // The old refresh token is spent at once all the same: used again, the whole family ends (a thief's copy).
    await k.advance(3600 * 1000 - 1);
    expect(await status(old.access_token)).toBe(200);
    await k.advance(1);
    const refused = await k.call(VERSION, { auth: { bearer: old.access_token } });
    expect([refused.status, refused.json.errors[0].code, refused.json.errors[0].message]).toEqual([
      401,
      'TOKEN_REVOKED',
      'This access token was refreshed: use the new one',
    ]);
    expect(await status(old.reference_token)).toBe(401);
    expect(await status(fresh.json.access_token)).toBe(200);
    // Also as a form, as the JFrog CLI sends it.
    const form = await k.call(T, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: fresh.json.refresh_token, overlap_seconds: '60' }).toString(),
    });
    expect(form.status, form.text).toBe(200);
    expect(await status(fresh.json.access_token)).toBe(200);
    await k.advance(60_000);
    expect(await status(fresh.json.access_token)).toBe(401);
  });

  it('ends an overlapping old token at once when its family is revoked, or its refresh token comes back', async () => {
    const old = await make();
    const fresh = (await refresh(old.refresh_token, { overlap_seconds: 3600 })).json;
    expect((await k.call(`${T}/${fresh.token_id}`, { method: 'DELETE', auth: lea })).status).toBe(200);
    expect(await status(fresh.access_token)).toBe(401);
    expect(await status(old.access_token)).toBe(401);

    const again = await make();
    await refresh(again.refresh_token, { overlap_seconds: 3600 });
    expect(await status(again.access_token)).toBe(200);
    expect((await refresh(again.refresh_token)).json.errors[0].code).toBe('TOKEN_REVOKED');
    expect(await status(again.access_token)).toBe(401);

    // Found in public while it overlaps: still a live credential, revoked at once.
    const leaked = await make();
    await refresh(leaked.refresh_token, { overlap_seconds: 3600 });
    const report = await k.call('/api/v1/leakReports', {
      method: 'POST',
      json: [{ token: leaked.access_token, type: 'keyfob_token', url: 'https://example.test/x' }],
    });
    expect(report.json[0].label).not.toBe('false_positive');
    expect(await status(leaked.access_token)).toBe(401);
  });

  it('refuses an overlap past the server’s maximum, and changes nothing', async () => {
    const old = await make();
    for (const overlap of [24 * 3600 + 1, -1, 'soon']) {
      const reply = await refresh(old.refresh_token, { overlap_seconds: overlap });
      expect(reply.status, reply.text).toBe(400);
    }
    expect(await status(old.access_token)).toBe(200);
    expect((await refresh(old.refresh_token)).status).toBe(200);
    // No overlap asked: the old token stops at once, as in Artifactory.
    expect(await status(old.access_token)).toBe(401);
  });
});
