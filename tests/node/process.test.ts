import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { API_KEY_PATTERN } from '../../shared/formats';
import { call } from '../helpers/keyfob';
import { runKeyfobProcess, startKeyfobProcess } from '../helpers/process';

const dirs: string[] = [];
function dataDir() {
  const dir = mkdtempSync(join(tmpdir(), 'keyfob-proc-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const VERSION = '/artifactory/api/system/version';

describe('npm start: the server process', () => {
  it('first start makes the master key (0600) and an admin with a password printed once; a restart keeps everything', async () => {
    const dir = dataDir();
    const first = await startKeyfobProcess({ KEYFOB_DATA_DIR: dir, KEYFOB_ADMIN_PASSWORD: '' });
    const ping = await call(first.url, '/artifactory/api/system/ping');
    expect(ping.text).toBe('OK');
    // Set at the socket by the Node entry, under the answer's own headers: on answers and errors alike.
    const missing = await call(first.url, '/no/such/place');
    for (const reply of [ping, missing]) {
      expect([reply.headers.get('cache-control'), reply.headers.get('x-content-type-options'), reply.headers.get('x-frame-options')]).toEqual([
        'no-store',
        'nosniff',
        'DENY',
      ]);
    }
    const password = /generated password \(shown only now\): (\S+)/.exec(first.output())?.[1];
    expect(password).toBeDefined();
    expect(statSync(join(dir, 'master.key')).mode & 0o777).toBe(0o600);

    const admin = { basic: ['admin', password!] as [string, string] };
    const apiKey = (await call(first.url, '/artifactory/api/security/apiKey', { method: 'POST', auth: admin })).json.apiKey;
    expect(apiKey).toMatch(API_KEY_PATTERN);
    const encrypted = (await call(first.url, '/artifactory/api/security/encryptedPassword', { auth: admin })).text;
    await call(first.url, '/artifactory/api/security/users/quinn', {
      method: 'PUT',
      auth: admin,
      json: { email: 'q@example.com', password: 'quinn-Password-1' },
    });
    expect(await first.stop()).toBe(0);
    expect(first.output()).toMatch(/Keyfob stopped/);

    const second = await startKeyfobProcess({ KEYFOB_DATA_DIR: dir, KEYFOB_ADMIN_PASSWORD: '' });
    expect(second.output()).not.toMatch(/generated password/);
    expect((await call(second.url, VERSION, { auth: { apiKey } })).status).toBe(200);
    expect((await call(second.url, VERSION, { auth: { basic: ['admin', encrypted] } })).status).toBe(200);
    expect((await call(second.url, VERSION, { auth: { basic: ['quinn', 'quinn-Password-1'] } })).status).toBe(200);
    expect(await second.stop('SIGINT')).toBe(0);
  });

  it('reads its settings from an env file, and a variable set in the environment wins over it', async () => {
    const dir = dataDir();
    const envFile = join(dir, 'keyfob.env');
    writeFileSync(envFile, `KEYFOB_ADMIN_USER=fileadmin\nKEYFOB_ADMIN_PASSWORD=file-Password-1\nKEYFOB_DATA_DIR=${dir}\nPORT=1\n`);
    // PORT=0 comes from the environment (the helper's), so the file's PORT=1 loses.
    const server = await startKeyfobProcess({ KEYFOB_ENV_FILE: envFile });
    expect((await call(server.url, VERSION, { auth: { basic: ['fileadmin', 'file-Password-1'] } })).status).toBe(200);
    expect(await server.stop()).toBe(0);
  });

  it('finishes requests in flight on SIGTERM', async () => {
    const dir = dataDir();
    const server = await startKeyfobProcess({ KEYFOB_DATA_DIR: dir, KEYFOB_ADMIN_PASSWORD: 'admin-Password-1' });
    // Sign-ins each cost an argon2 hash, so some are still running when the signal arrives.
    const inFlight = Array.from({ length: 6 }, () =>
      call(server.url, '/api/v1/session', { method: 'POST', json: { username: 'admin', password: 'admin-Password-1' } }),
    );
    await new Promise((resolve) => setTimeout(resolve, 15));
    const exit = server.stop('SIGTERM');
    const replies = await Promise.all(inFlight);
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(await exit).toBe(0);
  });

  it.each([
    [{ KEYFOB_MASTER_KEY: 'not-a-key' }, /KEYFOB_MASTER_KEY .*32 random bytes in base64/],
    [{ KEYFOB_MASTER_KEY: Buffer.alloc(16).toString('base64') }, /KEYFOB_MASTER_KEY must be 32 bytes, but is 16/],
    [{ DATABASE_URL: 'mysql://db.example/keyfob' }, /DATABASE_URL must be a file: path/],
    [{ DATABASE_URL: 'libsql://' }, /DATABASE_URL is not a valid libsql:\/\/ URL/],
    [{ PORT: '99999' }, /PORT must be a whole number from 0 to 65535/],
    [{ KEYFOB_ADMIN_PASSWORD: 'short' }, /KEYFOB_ADMIN_PASSWORD must have at least 8 characters/],
    [{ KEYFOB_ADMIN_PASSWORD: 'Password123' }, /KEYFOB_ADMIN_PASSWORD is one of the most commonly used passwords/],
  ])('stops on a bad configuration with one clear line: %o', async (env, message) => {
    const { output, exited } = runKeyfobProcess({ KEYFOB_DATA_DIR: dataDir(), ...env });
    expect(await exited).toBe(1);
    const lines = output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^keyfob: /);
    expect(lines[0]).toMatch(message);
  });

  it('stops with one clear line on an unreadable master key file and on a port in use', async () => {
    const dir = dataDir();
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'master.key'), 'garbage\n', { mode: 0o600 });
    const bad = runKeyfobProcess({ KEYFOB_DATA_DIR: dir });
    expect(await bad.exited).toBe(1);
    expect(bad.output().trim()).toMatch(/^keyfob: The master key .*master\.key is not valid base64: restore it/);

    const blocker = createServer().listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const port = (blocker.address() as { port: number }).port;
    const busy = runKeyfobProcess({ KEYFOB_DATA_DIR: dataDir(), PORT: String(port), KEYFOB_ADMIN_PASSWORD: 'admin-Password-1' });
    expect(await busy.exited).toBe(1);
    expect(busy.output().trim().split('\n').pop()).toMatch(new RegExp(`^keyfob: port ${port} on 127.0.0.1 is in use`));
    blocker.close();
  });

  it('keeps no issued secret in the database files or the log', async () => {
    const dir = dataDir();
    const adminPassword = 'admin-Password-Secret-1';
    const server = await startKeyfobProcess({ KEYFOB_DATA_DIR: dir, KEYFOB_ADMIN_PASSWORD: adminPassword });
    const admin = { basic: ['admin', adminPassword] as [string, string] };
    const secrets = [adminPassword, 'rosa-Password-Secret-1', 'rosa-Password-Secret-2'];
    await call(server.url, '/artifactory/api/security/users/rosa', { method: 'PUT', auth: admin, json: { email: 'r@example.com', password: secrets[1] } });
    const rosa = { basic: ['rosa', secrets[1]!] as [string, string] };
    for (const auth of [admin, rosa]) {
      secrets.push((await call(server.url, '/artifactory/api/security/apiKey', { method: 'POST', auth })).json.apiKey);
      secrets.push((await call(server.url, '/artifactory/api/security/apiKey', { method: 'PUT', auth })).json.apiKey);
      secrets.push((await call(server.url, '/artifactory/api/security/encryptedPassword', { auth })).text);
    }
    const session = await call(server.url, '/api/v1/session', { method: 'POST', json: { username: 'rosa', password: secrets[1] } });
    secrets.push(session.json.token);
    secrets.push((await call(server.url, '/api/v1/profile/encryptedPassword', { auth: { bearer: session.json.token } })).json.encryptedPassword);
    await call(server.url, '/artifactory/api/security/users/authorization/changePassword', {
      method: 'POST',
      auth: rosa,
      json: { userName: 'rosa', oldPassword: secrets[1], newPassword1: secrets[2], newPassword2: secrets[2] },
    });
    // Failed attempts with secrets in them must not leak either.
    await call(server.url, VERSION, { auth: { basic: ['rosa', secrets[3]!] } });
    await call(server.url, `${VERSION}?apiKey=${secrets[4]}`, { auth: { apiKey: secrets[4]! } });
    expect(await server.stop()).toBe(0);

    expect(secrets.every((s) => typeof s === 'string' && s.length >= 16)).toBe(true);
    const files = readdirSync(dir).map((name) => ({ name, bytes: readFileSync(join(dir, name)) }));
    expect(files.map((f) => f.name)).toContain('keyfob.db');
    files.push({ name: 'log', bytes: Buffer.from(server.output()) });
    for (const { name, bytes } of files) {
      for (const secret of secrets) {
        expect(bytes.includes(Buffer.from(secret)), `${name} holds a secret`).toBe(false);
        // Nor hex or base64 of it.
        expect(bytes.includes(Buffer.from(Buffer.from(secret).toString('hex'))), `${name} holds a secret in hex`).toBe(false);
        expect(bytes.includes(Buffer.from(Buffer.from(secret).toString('base64'))), `${name} holds a secret in base64`).toBe(false);
      }
    }
  });
});
