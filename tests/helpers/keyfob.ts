/**
 * A real Keyfob for tests: a fresh libSQL file in a temporary folder, the real Node wiring, and an HTTP
 * server on 127.0.0.1. The clock can be moved, so delays and expiries are tested without waiting.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { createClient } from '@libsql/client';
import { loadConfig, type Env } from '../../api/config';
import { bootNode, type BootedKeyfob } from '../../api/node/boot';

export const ADMIN = { name: 'admin', password: 'admin-Password-1' };

export class TestClock {
  constructor(public current = Date.now()) {}
  now = () => this.current;
  advance(ms: number) {
    this.current += ms;
  }
}

export type Auth =
  | { basic: [string, string] }
  | { apiKey: string }
  | { bearer: string }
  | { raw: string }
  | undefined;

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
  if ('basic' in auth) return { authorization: 'Basic ' + Buffer.from(auth.basic.join(':'), 'utf8').toString('base64') };
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
  const res = await fetch(url + path, { method: options.method ?? 'GET', headers, body });
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, headers: res.headers, text, json };
}

export interface RunningKeyfob {
  url: string;
  dir: string;
  dbPath: string;
  logs: string[];
  clock: TestClock;
  keyfob: BootedKeyfob;
  call(path: string, options?: CallOptions): Promise<Reply>;
  /** Creates an internal user through the admin API. */
  createUser(name: string, password: string, fields?: Record<string, unknown>): Promise<void>;
  /** Runs SQL on the database file through a second, independent libSQL connection. */
  sql(statement: string, args?: (string | number | null)[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

export async function startKeyfob(env: Env = {}): Promise<RunningKeyfob> {
  const dir = mkdtempSync(join(tmpdir(), 'keyfob-test-'));
  const dbPath = join(dir, 'keyfob.db');
  const clock = new TestClock();
  const logs: string[] = [];
  const config = loadConfig({ KEYFOB_DATA_DIR: dir, KEYFOB_ADMIN_PASSWORD: ADMIN.password, ...env });
  const keyfob = await bootNode(config, { clock, log: (line) => logs.push(line) });
  const server = serve({ fetch: keyfob.app.fetch, hostname: '127.0.0.1', port: 0 });
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const inspector = createClient({ url: `file:${dbPath}` });
  const running: RunningKeyfob = {
    url,
    dir,
    dbPath,
    logs,
    clock,
    keyfob,
    call: (path, options) => call(url, path, options),
    async createUser(name, password, fields = {}) {
      const reply = await call(url, `/artifactory/api/security/users/${encodeURIComponent(name)}`, {
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
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      (server as import('node:http').Server).closeAllConnections?.();
      await closed;
      await keyfob.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return running;
}
