import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../helpers/keyfob';
import { startKeyfobProcess, type KeyfobProcess } from '../helpers/process';

/** The bound for several server processes on one database (docs/deploy.md). */
const MULTI_PROCESS_BOUND_MS = 1000;
const VERSION = '/artifactory/api/system/version';
const KEY = '/artifactory/api/security/apiKey';

/** Polls until `url` refuses the key; returns how long that took. */
async function msUntilRefused(url: string, apiKey: string): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < 5_000) {
    if ((await call(url, VERSION, { auth: { apiKey } })).status === 401) return performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return Infinity;
}

describe('two Node processes on one libSQL file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keyfob-two-'));
  let a: KeyfobProcess;
  let b: KeyfobProcess;
  const env = { KEYFOB_DATA_DIR: dir, KEYFOB_ADMIN_PASSWORD: 'admin-Password-1' };
  const admin = { basic: ['admin', 'admin-Password-1'] as [string, string] };
  beforeAll(async () => {
    a = await startKeyfobProcess(env);
    b = await startKeyfobProcess(env); // after A has migrated: migrations run before a process serves
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it(`refuses a key revoked through one within ${MULTI_PROCESS_BOUND_MS} ms on the other`, async () => {
    const apiKey = (await call(a.url, KEY, { method: 'POST', auth: admin })).json.apiKey;
    expect((await call(b.url, VERSION, { auth: { apiKey } })).status).toBe(200);
    expect((await call(a.url, KEY, { method: 'DELETE', auth: admin })).status).toBe(200);
    expect(await msUntilRefused(b.url, apiKey)).toBeLessThanOrEqual(MULTI_PROCESS_BOUND_MS);
  });

  it(`refuses an access token, and its reference token, revoked through one within ${MULTI_PROCESS_BOUND_MS} ms on the other`, async () => {
    const issued = (await call(a.url, '/access/api/v1/tokens', { method: 'POST', auth: admin, json: { expires_in: 600, include_reference_token: true } })).json;
    const until = async (auth: { bearer: string }) => {
      const started = performance.now();
      while (performance.now() - started < 5_000) {
        if ((await call(b.url, VERSION, { auth })).status === 401) return performance.now() - started;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return Infinity;
    };
    for (const bearer of [issued.access_token, issued.reference_token]) expect((await call(b.url, VERSION, { auth: { bearer } })).status).toBe(200);
    expect((await call(a.url, `/access/api/v1/tokens/${issued.token_id}`, { method: 'DELETE', auth: admin })).status).toBe(200);
    const [jwt, reference] = await Promise.all([until({ bearer: issued.access_token }), until({ bearer: issued.reference_token })]);
    expect(jwt).toBeLessThanOrEqual(MULTI_PROCESS_BOUND_MS);
    expect(reference).toBeLessThanOrEqual(MULTI_PROCESS_BOUND_MS);
  });

  it('refuses a key regenerated through the other, and accepts the new one', async () => {
    const oldKey = (await call(b.url, KEY, { method: 'PUT', auth: admin })).json.apiKey;
    expect((await call(a.url, VERSION, { auth: { apiKey: oldKey } })).status).toBe(200);
    const newKey = (await call(b.url, KEY, { method: 'PUT', auth: admin })).json.apiKey;
    expect(await msUntilRefused(a.url, oldKey)).toBeLessThanOrEqual(MULTI_PROCESS_BOUND_MS);
    expect((await call(a.url, VERSION, { auth: { apiKey: newKey } })).status).toBe(200);
  });

  it('takes concurrent writes through both without losing any', async () => {
    const names = Array.from({ length: 20 }, (_, i) => `user${i}`);
    const replies = await Promise.all(
      names.map((name, i) =>
        call(i % 2 ? a.url : b.url, `/artifactory/api/security/users/${name}`, {
          method: 'PUT',
          auth: admin,
          json: { email: `${name}@example.com`, password: `${name}-Password-1` },
        }),
      ),
    );
    expect(replies.map((r) => r.status)).toEqual(names.map(() => 201));
    const listed = (await call(a.url, '/artifactory/api/security/users', { auth: admin })).json.map((u: { name: string }) => u.name);
    for (const name of names) expect(listed).toContain(name);
  });
});

describe('two processes: passwords and sessions are refused across processes within the bound', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keyfob-two-'));
  let a: KeyfobProcess;
  let b: KeyfobProcess;
  const admin = { basic: ['admin', 'admin-Password-1'] as [string, string] };
  beforeAll(async () => {
    a = await startKeyfobProcess({ KEYFOB_DATA_DIR: dir, KEYFOB_ADMIN_PASSWORD: 'admin-Password-1' });
    b = await startKeyfobProcess({ KEYFOB_DATA_DIR: dir, KEYFOB_ADMIN_PASSWORD: 'admin-Password-1' });
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const msUntil = async (check: () => Promise<boolean>) => {
    const started = performance.now();
    while (performance.now() - started < 5_000) {
      if (await check()) return performance.now() - started;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return Infinity;
  };

  it('a password changed through one is refused by the other (whose check was cached)', async () => {
    await call(a.url, '/artifactory/api/security/users/yan', { method: 'PUT', auth: admin, json: { email: 'y@example.com', password: 'yan-Password-1' } });
    const yan = { basic: ['yan', 'yan-Password-1'] as [string, string] };
    expect((await call(b.url, VERSION, { auth: yan })).status).toBe(200); // verified, now cached in B
    const changed = await call(a.url, '/artifactory/api/security/users/authorization/changePassword', {
      method: 'POST',
      auth: yan,
      json: { userName: 'yan', oldPassword: 'yan-Password-1', newPassword1: 'yan-Password-2', newPassword2: 'yan-Password-2' },
    });
    expect(changed.status).toBe(200);
    expect(await msUntil(async () => (await call(b.url, VERSION, { auth: yan })).status === 401)).toBeLessThanOrEqual(MULTI_PROCESS_BOUND_MS);
  });

  it('a session ended through one is refused by the other', async () => {
    const token = (await call(a.url, '/api/v1/session', { method: 'POST', json: { username: 'admin', password: 'admin-Password-1' } })).json.token;
    expect((await call(b.url, '/api/v1/profile', { auth: { bearer: token } })).status).toBe(200);
    expect((await call(a.url, '/api/v1/session', { method: 'DELETE', auth: { bearer: token } })).status).toBe(200);
    expect(await msUntil(async () => (await call(b.url, '/api/v1/profile', { auth: { bearer: token } })).status === 401)).toBeLessThanOrEqual(
      MULTI_PROCESS_BOUND_MS,
    );
  });
});
