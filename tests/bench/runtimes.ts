/**
 * Figures for the runtimes issue: what a password hash costs with each hasher Keyfob uses, the Worker
 * bundle's size, and workerd's cold start (spawn to first answer, and the first request's own time).
 * Run by `npm run bench`; each figure is measured here, in this run.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { pureArgon2idVerifier } from '../../api/crypto/hashers';
import { createPbkdf2Hasher } from '../../api/crypto/pbkdf2';
import { webRandomBytes } from '../../api/domain/ports';
import { createArgon2Hasher } from '../../api/node/argon2';
import { REPO_ROOT } from '../helpers/process';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timeEach(runs: number, fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await fn();
    times.push(performance.now() - started);
  }
  return median(times);
}

export async function measureHashers() {
  const argon2 = createArgon2Hasher();
  const pbkdf2 = createPbkdf2Hasher(webRandomBytes);
  const argonHash = await argon2.hash('benchmark password');
  return {
    argon2idNativeHashMs: await timeEach(5, () => argon2.hash('benchmark password')),
    argon2idNativeVerifyMs: await timeEach(5, () => argon2.verify(argonHash, 'benchmark password')),
    pbkdf2WebCrypto100kMs: await timeEach(5, () => pbkdf2.hash('benchmark password')),
    argon2idPureJsVerifyMs: await timeEach(3, () => pureArgon2idVerifier.verify(argonHash, 'benchmark password')),
  };
}

export async function measureWorker() {
  const wrangler = join(REPO_ROOT, 'node_modules', '.bin', 'wrangler');
  const env = { ...process.env, CI: 'true', WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' };
  const dir = mkdtempSync(join(tmpdir(), 'keyfob-bench-worker-'));
  try {
    await promisify(execFile)(wrangler, ['deploy', '--dry-run', '--outdir', join(dir, 'out')], { cwd: REPO_ROOT, env });
    const bundle = readFileSync(join(dir, 'out', 'worker.js'));
    await promisify(execFile)(wrangler, ['d1', 'migrations', 'apply', 'keyfob', '--local', '--persist-to', join(dir, 'state')], { cwd: REPO_ROOT, env });
    const port = 18_700 + Math.floor(Math.random() * 200);
    const started = performance.now();
    const child = spawn(
      wrangler,
      [
        'dev',
        '--local',
        '--ip',
        '127.0.0.1',
        '--port',
        String(port),
        '--persist-to',
        join(dir, 'state'),
        '--show-interactive-dev-session=false',
        '--var',
        `KEYFOB_MASTER_KEY:${Buffer.from(webRandomBytes(32)).toString('base64')}`,
      ],
      { cwd: REPO_ROOT, env, stdio: 'ignore', detached: true },
    );
    let firstRequestMs = NaN;
    try {
      for (;;) {
        if (performance.now() - started > 60_000) throw new Error('workerd did not answer within 60 s');
        const requestStarted = performance.now();
        const ok = await fetch(`http://127.0.0.1:${port}/artifactory/api/system/ping`).then(
          (r) => r.ok,
          () => false,
        );
        if (ok) {
          firstRequestMs = performance.now() - requestStarted;
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const spawnToFirstAnswerMs = performance.now() - started;
      const warmMs = await timeEach(20, () => fetch(`http://127.0.0.1:${port}/artifactory/api/system/ping`).then((r) => r.text()));
      return { bundleBytes: bundle.length, bundleGzipBytes: gzipSync(bundle).length, spawnToFirstAnswerMs, firstRequestMs, warmRequestMs: warmMs };
    } finally {
      process.kill(-child.pid!, 'SIGTERM');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
