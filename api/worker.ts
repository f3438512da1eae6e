/**
 * Keyfob on Cloudflare Workers: `export default { fetch }` with bindings. Only wiring: the database is
 * the D1 binding `DB` (or a remote libSQL server by DATABASE_URL), the master key a secret, passwords
 * PBKDF2 through Web Crypto. Nothing here writes files.
 */
import { createClient } from '@libsql/client/web';
import { drizzle as drizzleD1 } from 'drizzle-orm/d1';
import { createApp } from './app';
import { loadConfig } from './config';
import { pureArgon2idVerifier, withForeignVerifiers } from './crypto/hashers';
import { createPbkdf2Hasher } from './crypto/pbkdf2';
import { libsqlDatabase } from './db/libsql';
import * as schema from './db/schema';
import type { KeyfobDatabase } from './db/store';
import { assembleDeps, type AppDeps } from './deps';
import { housekeep } from './domain/housekeeping';
import { webRandomBytes } from './domain/ports';
import { bootstrapAdmin } from './domain/users';

export interface WorkerEnv {
  DB?: Parameters<typeof drizzleD1>[0];
  DATABASE_URL?: string;
  DATABASE_AUTH_TOKEN?: string;
  KEYFOB_MASTER_KEY?: string;
  [name: string]: unknown;
}

interface Built {
  app: ReturnType<typeof createApp>;
  deps: AppDeps;
}
let built: Promise<Built> | null = null;

async function build(env: WorkerEnv): Promise<Built> {
  const strings = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string'));
  const config = loadConfig(env.DB ? { ...strings, DATABASE_URL: 'https://d1.invalid' } : strings);
  if (!config.masterKey) throw new Error('KEYFOB_MASTER_KEY is not set: add it with `wrangler secret put KEYFOB_MASTER_KEY`');
  // D1 and libSQL share drizzle's SQLite surface (queries and batch), which is all the store uses.
  const db: KeyfobDatabase = env.DB
    ? (drizzleD1(env.DB, { schema }) as unknown as KeyfobDatabase)
    : libsqlDatabase(createClient({ url: config.databaseUrl, authToken: config.databaseAuthToken }));
  // Isolates come and go, so the caches are per isolate; the 1 s bound holds across them as across processes.
  const deps = await assembleDeps(config, {
    db,
    masterKey: config.masterKey,
    hasher: withForeignVerifiers(createPbkdf2Hasher(webRandomBytes), [pureArgon2idVerifier]),
    env,
    revision: 'keyfob-worker',
    log: (line) => console.log(line),
    clientAddress: (c) => c.req.header('cf-connecting-ip') ?? null,
  });
  // No terminal to print a generated password on: the first admin needs KEYFOB_ADMIN_PASSWORD as a secret.
  if (config.adminPassword) await bootstrapAdmin(deps, config.adminUser, config.adminPassword);
  return { app: createApp(deps), deps };
}

/** One build per isolate, shared by fetch and scheduled; a failed build is tried again next time. */
function keyfob(env: WorkerEnv): Promise<Built> {
  built ??= build(env).catch((err) => {
    built = null;
    throw err;
  });
  return built;
}

export default {
  async fetch(request: Request, env: WorkerEnv, ctx: unknown): Promise<Response> {
    return (await keyfob(env)).app.fetch(request, env, ctx as never);
  },
  /** The Cron Trigger in wrangler.toml: housekeeping, as the timer does on Node. */
  async scheduled(_controller: unknown, env: WorkerEnv, ctx: { waitUntil(promise: Promise<unknown>): void }): Promise<void> {
    const { deps } = await keyfob(env);
    ctx.waitUntil(housekeep(deps, deps.log));
  },
};
