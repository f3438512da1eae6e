/**
 * Every answer carries the security headers (no caching of secrets, no sniffing, no framing): success,
 * error and page alike, on every runtime. Node's `npm start` sets them at the socket instead of in the
 * app (tests/node/process.test.ts checks that path).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startKeyfob, type RunningKeyfob } from '../helpers/keyfob';

const EXPECTED_SECURITY_HEADERS = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY' };

describe('security headers', () => {
  let k: RunningKeyfob;
  beforeAll(async () => {
    k = await startKeyfob();
  });
  afterAll(() => k.close());

  it.each([
    ['the ping', '/artifactory/api/system/ping', {}],
    ['an authenticated answer', '/artifactory/api/security/apiKey', { auth: { basic: [ADMIN.name, ADMIN.password] as [string, string] } }],
    ['a 401', '/api/v1/profile', {}],
    ['a 404', '/no/such/place', {}],
    ['the docs page', '/docs', {}],
  ])('on %s', async (_what, path, options) => {
    const reply = await k.call(path, options);
    for (const [name, value] of Object.entries(EXPECTED_SECURITY_HEADERS)) expect(reply.headers.get(name), name).toBe(value);
  });
});
