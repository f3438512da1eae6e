/**
 * Keyfob on workerd for the runtime suite: the Worker wrangler would deploy, on a local D1, in Miniflare (the
 * same workerd and D1 simulator `wrangler dev` runs).
 *
 * Why not `wrangler dev` per test file: each start spawned wrangler twice (migrations, then dev), bundled the
 * Worker again and took about 10 s here and 30 s on a loaded CI machine, for 36 servers a run. Wrangler now
 * runs once per run, in the global setup: `wrangler deploy --dry-run` bundles the Worker exactly as a deploy
 * would, and `wrangler d1 migrations apply --local` migrates a template D1. Each server then copies the template
 * and starts in about a second.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { Miniflare } from 'miniflare';
import { REPO_ROOT } from './process';

/** Where the global setup leaves the bundle and the migrated template (inside the repo: workerd refuses modules outside its root). */
const BUILD_DIR = join(REPO_ROOT, 'node_modules', '.cache', 'keyfob-workerd');
const BUNDLE_DIR = join(BUILD_DIR, 'bundle');
const TEMPLATE_DIR = join(BUILD_DIR, 'd1-template');

/** Offline: no metrics, and no fetch of Cloudflare's Request.cf object. */
const WRANGLER_ENV = { ...process.env, CI: 'true', WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' };

/** wrangler.toml's settings the Worker runs by: it stays the one place they are written. */
function wranglerSettings() {
  const toml = readFileSync(join(REPO_ROOT, 'wrangler.toml'), 'utf8');
  const value = (key: string) => {
    const match = new RegExp(`^${key}\\s*=\\s*"([^"]+)"`, 'm').exec(toml);
    if (!match) throw new Error(`wrangler.toml has no ${key}`);
    return match[1]!;
  };
  return { compatibilityDate: value('compatibility_date'), databaseId: value('database_id') };
}

/** Once per run: the deploy bundle and a D1 with every migration applied, both by wrangler itself. */
export async function buildWorkerd(): Promise<void> {
  rmSync(BUILD_DIR, { recursive: true, force: true });
  mkdirSync(BUILD_DIR, { recursive: true });
  const wrangler = join(REPO_ROOT, 'node_modules', '.bin', 'wrangler');
  const run = (args: string[]) => promisify(execFile)(wrangler, args, { cwd: REPO_ROOT, env: WRANGLER_ENV });
  await Promise.all([
    run(['deploy', '--dry-run', '--outdir', BUNDLE_DIR]),
    run(['d1', 'migrations', 'apply', 'keyfob', '--local', '--persist-to', TEMPLATE_DIR]),
  ]);
}

export interface WorkerdKeyfob {
  url: string;
  /** The D1 database's SQLite file, for a second connection. */
  dbPath: string;
  output(): string;
  stop(): Promise<void>;
}

/** A fresh Keyfob Worker with `vars` as its environment, its D1 in `dir`. */
export async function startWorkerdKeyfob(dir: string, vars: Record<string, string>): Promise<WorkerdKeyfob> {
  const { compatibilityDate, databaseId } = wranglerSettings();
  const persist = join(dir, 'state');
  cpSync(TEMPLATE_DIR, persist, { recursive: true });
  let output = '';
  const mf = new Miniflare({
    modules: true,
    modulesRoot: BUNDLE_DIR,
    scriptPath: join(BUNDLE_DIR, 'worker.js'),
    compatibilityDate,
    d1Databases: { DB: databaseId },
    d1Persist: join(persist, 'v3', 'd1'),
    bindings: vars,
    host: '127.0.0.1',
    port: 0,
    // `/cdn-cgi/handler/scheduled?cron=…` fires the Cron Trigger, as `wrangler dev --test-scheduled` did.
    unsafeTriggerHandlers: true,
    handleRuntimeStdio(stdout: Readable, stderr: Readable) {
      stdout.on('data', (chunk: Buffer) => (output += chunk));
      stderr.on('data', (chunk: Buffer) => (output += chunk));
    },
  });
  let url: URL;
  try {
    url = await mf.ready;
  } catch (error) {
    await mf.dispose().catch(() => {});
    throw new Error(`Keyfob on workerd did not start: ${error}\n${output}`);
  }
  const d1Dir = join(persist, 'v3', 'd1', 'miniflare-D1DatabaseObject');
  const dbFile = readdirSync(d1Dir).find((name) => name.endsWith('.sqlite') && name !== 'metadata.sqlite');
  if (!dbFile) throw new Error(`no local D1 database in ${d1Dir}`);
  return {
    url: url.origin,
    dbPath: join(d1Dir, dbFile),
    output: () => output,
    stop: () => mf.dispose(),
  };
}
