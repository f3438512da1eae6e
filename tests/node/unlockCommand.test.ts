/** `npm run unlock -- NAME`: the operator's way back in when the lock policy has locked out every admin. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { call } from '../helpers/keyfob';
import { REPO_ROOT, startKeyfobProcess } from '../helpers/process';

const dir = mkdtempSync(join(tmpdir(), 'keyfob-unlock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run unlock', () => {
  it('unlocks the last admin on the server, with no credential at all', async () => {
    const admin = { basic: ['admin', 'admin-Password-1'] as [string, string] };
    const keyfob = await startKeyfobProcess({ KEYFOB_DATA_DIR: dir, KEYFOB_ADMIN_PASSWORD: 'admin-Password-1' });
    try {
      await call(keyfob.url, '/artifactory/api/security/userLockPolicy', { method: 'PUT', auth: admin, json: { enabled: true, loginAttempts: 2 } });
      // Two wrong guesses (the second waits out the first one's delay): the only admin is locked out.
      for (const guess of ['wrong-1', 'wrong-2']) await call(keyfob.url, '/api/v1/session', { method: 'POST', json: { username: 'admin', password: guess } });
      const locked = await call(keyfob.url, '/artifactory/api/system/version', { auth: admin });
      expect(locked.json.errors[0].code).toBe('USER_LOCKED');

      const { stdout } = await promisify(execFile)('npm', ['run', '--silent', 'unlock', '--', 'admin'], {
        cwd: REPO_ROOT,
        env: { ...process.env, KEYFOB_DATA_DIR: dir },
      });
      expect(stdout).toMatch(/Unlocked 'admin'/);
      // The running server sees it within its cache bound (1 s).
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect((await call(keyfob.url, '/artifactory/api/system/version', { auth: admin })).status).toBe(200);
      const activity = await call(keyfob.url, '/api/v1/profile/activity', { auth: admin });
      expect(activity.json.events.some((e: { type: string }) => e.type === 'user-unlocked')).toBe(true);
    } finally {
      await keyfob.stop();
    }
    // A name with no user is said plainly; a missing name is a usage line and exit code 1.
    const none = await promisify(execFile)('npm', ['run', '--silent', 'unlock', '--', 'nobody'], {
      cwd: REPO_ROOT,
      env: { ...process.env, KEYFOB_DATA_DIR: dir },
    });
    expect(none.stdout).toMatch(/No user 'nobody'/);
    await expect(
      promisify(execFile)('npm', ['run', '--silent', 'unlock'], { cwd: REPO_ROOT, env: { ...process.env, KEYFOB_DATA_DIR: dir } }),
    ).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/usage: npm run unlock -- NAME/),
    });
  });
});
