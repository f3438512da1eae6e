/**
 * A real Keyfob for tests: a fresh database in a temporary folder and an HTTP server on 127.0.0.1.
 *
 * `KEYFOB_TEST_RUNTIME` picks the runtime, so the same suite runs on each (`npm run test:runtimes`):
 * - unset: Node, in this process (the real Node wiring, served by @hono/node-server);
 * - `node`, `bun`, `deno`: the runtime's own entry as a child process, on a libSQL file;
 * - `workerd`: the deploy bundle on workerd and a local D1, in Miniflare (its Cron Trigger fired by
 *   `/cdn-cgi/handler/scheduled`).
 * The server's clock is frozen and moved by the test (in process directly, otherwise through the
 * KEYFOB_TEST_CLOCK route), so delays and expiries are tested without waiting.
 */
import { FILE_BUSY_TIMEOUT_MS } from '../../api/db/libsql';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { createClient } from '@libsql/client';
import { loadConfig, type Env } from '../../api/config';
import { CROSS_PROCESS_BOUND_MS } from '../../api/domain/cache';
import { bootNode } from '../../api/node/boot';
import { createAdjustableClock, TEST_CLOCK_PATH } from '../../api/testing/testClock';
import { REPO_ROOT } from './process';
import { startWorkerdKeyfob } from './workerd';

export const ADMIN = { name: 'admin', password: 'admin-Password-1' };

export type TestRuntime = 'node-inprocess' | 'node' | 'bun' | 'deno' | 'workerd';
export const TEST_RUNTIME = (process.env.KEYFOB_TEST_RUNTIME || 'node-inprocess') as TestRuntime;

export type Auth = { basic: [string, string] } | { apiKey: string } | { bearer: string } | { raw: string } | undefined;

export interface CallOptions {
  method?: string;
  auth?: Auth;
  json?: unknown;
  body?: string;
  headers?: Record<string, string>;
}

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

export function authHeaders(auth: Auth): Record<string, string> {
  if (!auth) return {};
  if ('basic' in auth) return { authorization: `Basic ${Buffer.from(auth.basic.join(':'), 'utf8').toString('base64')}` };
  if ('apiKey' in auth) return { 'X-JFrog-Art-Api': auth.apiKey };
  if ('bearer' in auth) return { authorization: `Bearer ${auth.bearer}` };
  return { authorization: auth.raw };
}

/** Calls `url + path` over real HTTP and reads the whole reply. */
export async function call(url: string, path: string, options: CallOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...authHeaders(options.auth), ...options.headers };
  let body = options.body;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] ??= 'application/json';
  }
  const method = options.method ?? 'GET';
  const res = await fetch(url + path, { method, headers, body }).catch((error: unknown) => {
    // A kept-alive socket the server closed just as this request went out resets; browsers and undici retry an
    // idempotent request once on such a socket, and so does this (seen with Miniflare's proxy on workerd).
    if (!isConnectionReset(error) || (method !== 'GET' && method !== 'HEAD')) throw error;
    return fetch(url + path, { method, headers, body });
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, headers: res.headers, text, json };
}

function isConnectionReset(error: unknown): boolean {
  const cause = (error as { cause?: { code?: string } } | null)?.cause;
  return cause?.code === 'ECONNRESET' || cause?.code === 'UND_ERR_SOCKET';
}

export interface RunningKeyfob {
  url: string;
  runtime: TestRuntime;
  /** The server's data folder (its master key file and, but on workerd, its database). */
  dataDir: string;
  /** The server's (frozen) time. */
  now(): number;
  /** Moves the server's clock forward. */
  advance(ms: number): Promise<void>;
  call(path: string, options?: CallOptions): Promise<Reply>;
  /** Creates an internal user through the admin API. */
  createUser(name: string, password: string, fields?: Record<string, unknown>): Promise<void>;
  /** Waits until the server sees writes made behind its back (by `sql`): its caches keep entries at most 1 s. */
  settle(): Promise<void>;
  /** Runs SQL on the server's database file through a second, independent connection. */
  sql(statement: string, args?: (string | number | null)[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

interface Started {
  url: string;
  dbPath: string;
  /** In process: the clock itself; otherwise moved through the test route. */
  setClock(ms: number): Promise<void>;
  stop(): Promise<void>;
}

/** `options.runtime`: this runtime whatever KEYFOB_TEST_RUNTIME says (a test of one runtime's own server). */
export async function startKeyfob(env: Env = {}, options: { runtime?: TestRuntime } = {}): Promise<RunningKeyfob> {
  const runtime = options.runtime ?? TEST_RUNTIME;
  const dir = mkdtempSync(join(tmpdir(), `keyfob-${runtime}-`));
  // No .env of the developer's: a test's server is configured by the test alone.
  const fullEnv: Record<string, string> = {
    KEYFOB_ADMIN_PASSWORD: ADMIN.password,
    KEYFOB_LOG_REQUESTS: 'false',
    KEYFOB_ENV_FILE: '',
    ...(env as Record<string, string>),
  };
  const started =
    runtime === 'node-inprocess'
      ? await startInProcess(dir, fullEnv)
      : runtime === 'workerd'
        ? await startWorkerd(dir, fullEnv)
        : await startEntry(runtime, dir, fullEnv);
  let now = Date.now();
  await started.setClock(now);
  // A second process on the file: it waits out the server's writes (housekeeping's every 200 ms in some tests).
  const inspector = createClient({ url: `file:${started.dbPath}`, timeout: FILE_BUSY_TIMEOUT_MS });
  return {
    url: started.url,
    runtime,
    dataDir: dir,
    now: () => now,
    async advance(ms) {
      now += ms;
      await started.setClock(now);
    },
    call: (path, options) => call(started.url, path, options),
    settle: () => new Promise((resolve) => setTimeout(resolve, CROSS_PROCESS_BOUND_MS + 100)),
    async createUser(name, password, fields = {}) {
      const reply = await call(started.url, `/artifactory/api/security/users/${encodeURIComponent(name)}`, {
        method: 'PUT',
        auth: { basic: [ADMIN.name, ADMIN.password] },
        json: { email: `${name}@example.com`, password, ...fields },
      });
      if (reply.status !== 201) throw new Error(`creating ${name}: ${reply.status} ${reply.text}`);
    },
    async sql(statement, args = []) {
      const result = await inspector.execute({ sql: statement, args });
      return result.rows.map((row) => ({ ...row }));
    },
    async close() {
      inspector.close();
      await started.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function startInProcess(dir: string, env: Record<string, string>): Promise<Started> {
  const clock = createAdjustableClock();
  const keyfob = await bootNode(loadConfig({ KEYFOB_DATA_DIR: dir, ...env }), { clock, log: () => {} });
  const server = serve({ fetch: keyfob.app.fetch, hostname: '127.0.0.1', port: 0 });
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  keyfob.listening(url);
  return {
    url,
    dbPath: join(dir, 'keyfob.db'),
    setClock: async (ms) => clock.set(ms),
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      (server as import('node:http').Server).closeAllConnections?.();
      await closed;
      await keyfob.close();
    },
  };
}

const setRemoteClock = (url: string) => async (ms: number) => {
  const reply = await call(url, TEST_CLOCK_PATH, { method: 'POST', json: { set: ms } });
  if (reply.json?.now !== ms) throw new Error(`the server's test clock did not move: ${reply.status} ${reply.text}`);
};

function entryCommand(runtime: 'node' | 'bun' | 'deno'): [string, string[]] {
  const bin = (name: string) => join(REPO_ROOT, 'node_modules', '.bin', name);
  if (runtime === 'bun') return [bin('bun'), ['api/bun.ts']];
  if (runtime === 'deno') return [bin('deno'), ['run', '--allow-all', '--sloppy-imports', '--quiet', 'api/deno.ts']];
  return [process.execPath, ['--import', 'tsx', 'api/node.ts']];
}

function collect(child: ChildProcess): () => string {
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  return () => output;
}

async function waitFor<T>(what: string, output: () => string, check: () => Promise<T | null> | T | null, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not come up in ${ms} ms:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  const exited = once(child, 'exit').then(() => undefined);
  child.kill('SIGTERM');
  return exited;
}

async function startEntry(runtime: 'node' | 'bun' | 'deno', dir: string, env: Record<string, string>): Promise<Started> {
  const [command, args] = entryCommand(runtime);
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, SSH_PORT: '0', ...env, HOST: '127.0.0.1', PORT: '0', KEYFOB_DATA_DIR: dir, KEYFOB_TEST_CLOCK: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = collect(child);
  const url = await waitFor(`Keyfob on ${runtime}`, output, () => {
    if (child.exitCode !== null) throw new Error(`Keyfob on ${runtime} exited:\n${output()}`);
    return /Keyfob listening on (http:\/\/\S+)/.exec(output())?.[1] ?? null;
  });
  return { url, dbPath: join(dir, 'keyfob.db'), setClock: setRemoteClock(url), stop: () => stopChild(child) };
}

/** The Worker on workerd (see ./workerd.ts), its D1 copied from the run's migrated template. */
async function startWorkerd(dir: string, env: Record<string, string>): Promise<Started> {
  // A Worker has no listen address to answer to: it is told the name the tests reach it by, as a route would.
  const allowedHosts = [env.KEYFOB_ALLOWED_HOSTS, '127.0.0.1'].filter(Boolean).join(',');
  const worker = await startWorkerdKeyfob(dir, {
    ...env,
    KEYFOB_ALLOWED_HOSTS: allowedHosts,
    KEYFOB_MASTER_KEY: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64'),
    KEYFOB_TEST_CLOCK: '1',
  });
  return { url: worker.url, dbPath: worker.dbPath, setClock: setRemoteClock(worker.url), stop: worker.stop };
}
