/**
 * Git LFS over SSH against Keyfob started as `npm start` starts it: the real OpenSSH client gets a token
 * from `git-lfs-authenticate`, the token works against the REST API, and the real `git-lfs` resolves its
 * endpoint through Keyfob's SSH server.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../helpers/keyfob';
import { freePort, startKeyfobProcess, type KeyfobProcess } from '../helpers/process';
import { keyFolder, runSsh, sshOptions, type KeyPair } from '../helpers/sshKeys';

const ADMIN_PASSWORD = 'admin-Password-1';
const alice = { basic: ['alice', 'alice-Password-1'] as [string, string] };
const KEYS = '/api/v1/profile/sshKeys';

const hasGitLfs = (() => {
  try {
    execFileSync('git-lfs', ['version']);
    return true;
  } catch {
    return false;
  }
})();

describe('Git LFS over SSH', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'keyfob-ssh-'));
  const keys = keyFolder();
  let keyfob: KeyfobProcess;
  let sshPort: number;
  let ed25519: KeyPair;
  let rsa: KeyPair;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    sshPort = await freePort();
    keyfob = await startKeyfobProcess({ KEYFOB_DATA_DIR: dataDir, KEYFOB_ADMIN_PASSWORD: ADMIN_PASSWORD, SSH_PORT: String(sshPort) });
    const created = await call(keyfob.url, '/artifactory/api/security/users/alice', {
      method: 'PUT',
      auth: { basic: ['admin', ADMIN_PASSWORD] },
      json: { email: 'alice@example.com', password: 'alice-Password-1' },
    });
    expect(created.status).toBe(201);
    ed25519 = keys.keygen('ed25519');
    rsa = keys.keygen('rsa', 3072);
    for (const [name, pair] of [
      ['ed25519', ed25519],
      ['rsa', rsa],
    ] as const) {
      const added = await call(keyfob.url, KEYS, { method: 'POST', auth: alice, json: { name, publicKey: pair.publicText } });
      expect(added.status).toBe(201);
      ids[name] = added.json.id;
    }
  });
  afterAll(async () => {
    await keyfob?.stop();
    keys.remove();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts beside the API with a host key made once, readable only by its owner', () => {
    expect(keyfob.output()).toMatch(new RegExp(`SSH for Git LFS listening on 127\\.0\\.0\\.1:${sshPort}`));
    expect(statSync(join(dataDir, 'ssh_host_ed25519_key')).mode & 0o777).toBe(0o600);
  });

  it('answers git-lfs-authenticate with a token the REST API accepts as Bearer', async () => {
    const result = await runSsh(sshPort, ed25519.file, 'alice', ['git-lfs-authenticate', 'libs-release', 'download']);
    expect(result.code, result.stderr).toBe(0);
    const reply = JSON.parse(result.stdout);
    expect(reply).toEqual({
      href: `${keyfob.url}/artifactory/api/lfs/libs-release`,
      header: { Authorization: expect.stringMatching(/^Bearer kfs_/) },
      expires_in: 600,
    });
    const version = await call(keyfob.url, '/artifactory/api/system/version', { headers: { authorization: reply.header.Authorization } });
    expect(version.status).toBe(200);
    // The token identifies; it never opens secrets.
    const apiKey = await call(keyfob.url, '/artifactory/api/security/apiKey', { headers: { authorization: reply.header.Authorization } });
    expect(apiKey.status).toBe(403);
    expect(apiKey.json.errors[0].message).toMatch(/Git LFS token/);
    const reveal = await call(keyfob.url, '/api/v1/profile/apiKey', { headers: { authorization: reply.header.Authorization } });
    expect(reveal.status).toBe(403);
    const listed = await call(keyfob.url, KEYS, { auth: alice });
    expect(listed.json.keys.find((key: { id: number }) => key.id === ids.ed25519).lastUsedAt).not.toBeNull();
  });

  it('takes RSA keys (rsa-sha2 signatures) and the conventional git@ login', async () => {
    const result = await runSsh(sshPort, rsa.file, 'git', ['git-lfs-authenticate', "'/team/app.git'", 'upload']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).href).toBe(`${keyfob.url}/artifactory/api/lfs/team/app`);
  });

  it('refuses an unknown key, and a known key logging in as someone else', async () => {
    const stranger = keys.keygen('ed25519');
    const unknown = await runSsh(sshPort, stranger.file, 'alice', ['git-lfs-authenticate', 'repo', 'download']);
    expect(unknown.code).toBe(255);
    expect(unknown.stderr).toMatch(/Permission denied \(publickey\)/);
    const otherLogin = await runSsh(sshPort, ed25519.file, 'admin', ['git-lfs-authenticate', 'repo', 'download']);
    expect(otherLogin.code).toBe(255);
  });

  it('gives no shell and runs no other command, saying so', async () => {
    const other = await runSsh(sshPort, ed25519.file, 'alice', ['cat', '/etc/passwd']);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/only git-lfs-authenticate/);
    expect(other.stdout).toBe('');
    const usage = await runSsh(sshPort, ed25519.file, 'alice', ['git-lfs-authenticate', 'repo', 'delete']);
    expect(usage.stderr).toMatch(/Usage: git-lfs-authenticate <repository> <upload\|download>/);
    const shell = await runSsh(sshPort, ed25519.file, 'alice', ['-T']);
    expect(shell.code).not.toBe(0);
  });

  it.runIf(hasGitLfs)('lets the real git-lfs resolve its endpoint and authenticate through Keyfob', async () => {
    const repo = mkdtempSync(join(tmpdir(), 'keyfob-lfs-repo-'));
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' });
    try {
      git('init', '-q');
      git('config', 'user.email', 'alice@example.com');
      git('config', 'user.name', 'alice');
      git('lfs', 'install', '--local');
      // A pointer to an object this clone lacks, so `git lfs fetch` must ask the server for it.
      writeFileSync(join(repo, '.gitattributes'), 'big.bin filter=lfs diff=lfs merge=lfs -text\n');
      writeFileSync(join(repo, 'big.bin'), `version https://git-lfs.github.com/spec/v1\noid sha256:${'ab'.repeat(32)}\nsize 12\n`);
      git('add', '.');
      git('commit', '-qm', 'pointer');
      git('remote', 'add', 'origin', `ssh://alice@127.0.0.1:${sshPort}/libs-release.git`);
      const trace = await new Promise<string>((resolve) => {
        execFile(
          'git',
          ['lfs', 'fetch', 'origin'],
          {
            cwd: repo,
            timeout: 30_000,
            env: { ...process.env, GIT_TRACE: '1', GIT_SSH_COMMAND: `ssh ${sshOptions(ed25519.file).join(' ')}` },
          },
          (_err, stdout, stderr) => resolve(stdout + stderr),
        );
      });
      expect(trace).toMatch(/git-lfs-authenticate \/libs-release\.git download/);
      expect(trace).toContain(`POST ${keyfob.url}/artifactory/api/lfs/libs-release/objects/batch`);
      // Keyfob checked the token (a bad one would be 401) and then said it keeps no objects.
      expect(trace).toMatch(/HTTP: 404/);
      expect(trace).toContain('keeps no LFS objects');
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });

  it("ends a removed key's access at once, and the tokens it got", async () => {
    const before = await runSsh(sshPort, ed25519.file, 'alice', ['git-lfs-authenticate', 'repo', 'download']);
    const token = JSON.parse(before.stdout).header.Authorization;
    expect((await call(keyfob.url, '/artifactory/api/system/version', { headers: { authorization: token } })).status).toBe(200);
    expect((await call(keyfob.url, `${KEYS}/${ids.ed25519}`, { method: 'DELETE', auth: alice })).status).toBe(200);
    const after = await runSsh(sshPort, ed25519.file, 'alice', ['git-lfs-authenticate', 'repo', 'download']);
    expect(after.code).toBe(255);
    expect((await call(keyfob.url, '/artifactory/api/system/version', { headers: { authorization: token } })).status).toBe(401);
  });

  it('keeps its host key across a restart', async () => {
    const scan = () =>
      execFileSync('ssh-keyscan', ['-p', String(sshPort), '-t', 'ed25519', '127.0.0.1'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const first = scan();
    await keyfob.stop();
    keyfob = await startKeyfobProcess({ KEYFOB_DATA_DIR: dataDir, KEYFOB_ADMIN_PASSWORD: ADMIN_PASSWORD, SSH_PORT: String(sshPort) });
    expect(scan()).toBe(first);
  });
});
