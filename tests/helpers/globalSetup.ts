/** Builds the extension variant the end-to-end tests load, once per run (not for the other-runtime runs). */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './process';

export default function setup() {
  if (process.env.KEYFOB_TEST_RUNTIME) return;
  for (const browser of ['chrome', 'firefox']) {
    execFileSync(join(REPO_ROOT, 'node_modules', '.bin', 'wxt'), ['build', '-b', browser], {
      cwd: REPO_ROOT,
      env: { ...process.env, KEYFOB_E2E: '1' },
      stdio: 'ignore',
    });
  }
}
