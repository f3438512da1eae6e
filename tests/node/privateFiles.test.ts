/**
 * The data folder and what is in it (the database and its -wal and -shm, the SSH host key, the master key
 * file) are for Keyfob's own user only: made 0700 and 0600 under the usual umask, with the master key in the
 * environment or in a file, and tightened at start when something made them looser.
 */
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../helpers/keyfob';
import { freePort, startKeyfobProcess } from '../helpers/process';

const MASTER_KEY = Buffer.alloc(32, 7).toString('base64');
const PASSWORD = 'admin-Password-1';
const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

describe('the modes of the data folder and its files', () => {
  const root = mkdtempSync(join(tmpdir(), 'keyfob-modes-'));
  let previousUmask = 0;
  beforeAll(() => {
    // The usual umask, under which files are made 0644 and folders 0755 unless Keyfob says otherwise.
    previousUmask = process.umask(0o022);
  });
  afterAll(() => {
    process.umask(previousUmask);
    rmSync(root, { recursive: true, force: true });
  });

  it('makes the folder 0700 and the database, its -wal and -shm, and the SSH host key 0600, with KEYFOB_MASTER_KEY set', async () => {
    const dir = join(root, 'fresh', 'data');
    const server = await startKeyfobProcess({
      KEYFOB_DATA_DIR: dir,
      KEYFOB_MASTER_KEY: MASTER_KEY,
      KEYFOB_ADMIN_PASSWORD: PASSWORD,
      SSH_PORT: String(await freePort()),
    });
    try {
      // A write, so the write-ahead log has something in it.
      expect((await call(server.url, '/artifactory/api/security/apiKey', { method: 'POST', auth: { basic: ['admin', PASSWORD] } })).status).toBe(201);
      expect(mode(dir)).toBe('700');
      for (const name of ['keyfob.db', 'keyfob.db-wal', 'keyfob.db-shm', 'ssh_host_ed25519_key']) expect(mode(join(dir, name)), name).toBe('600');
      expect(existsSync(join(dir, 'master.key'))).toBe(false);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('tightens a folder and files made looser, at the next start', async () => {
    const dir = join(root, 'fresh', 'data');
    chmodSync(dir, 0o755);
    for (const name of ['keyfob.db', 'ssh_host_ed25519_key']) chmodSync(join(dir, name), 0o644);
    const server = await startKeyfobProcess({
      KEYFOB_DATA_DIR: dir,
      KEYFOB_MASTER_KEY: MASTER_KEY,
      KEYFOB_ADMIN_PASSWORD: PASSWORD,
      SSH_PORT: String(await freePort()),
    });
    try {
      expect((await call(server.url, '/artifactory/api/security/apiKey', { auth: { basic: ['admin', PASSWORD] } })).status).toBe(200);
      expect(mode(dir)).toBe('700');
      for (const name of ['keyfob.db', 'keyfob.db-wal', 'keyfob.db-shm', 'ssh_host_ed25519_key']) expect(mode(join(dir, name)), name).toBe('600');
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('tightens a master key file made looser', async () => {
    const dir = join(root, 'keyfile');
    const first = await startKeyfobProcess({ KEYFOB_DATA_DIR: dir, KEYFOB_ADMIN_PASSWORD: PASSWORD });
    // Answering means started: the signal handlers are set just after the "listening" line.
    expect((await call(first.url, '/artifactory/api/system/ping')).status).toBe(200);
    expect(await first.stop()).toBe(0);
    chmodSync(join(dir, 'master.key'), 0o644);
    chmodSync(dir, 0o750);
    const second = await startKeyfobProcess({ KEYFOB_DATA_DIR: dir, KEYFOB_ADMIN_PASSWORD: PASSWORD });
    try {
      expect((await call(second.url, '/artifactory/api/system/ping')).status).toBe(200);
      expect(mode(join(dir, 'master.key'))).toBe('600');
      expect(mode(dir)).toBe('700');
    } finally {
      expect(await second.stop()).toBe(0);
    }
  });
});
