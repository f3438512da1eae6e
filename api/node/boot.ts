/**
 * Wiring Keyfob where there is a file system (Node, and Bun and Deno through their Node compatibility):
 * the libSQL database (migrated before anything is served), the master key, the native hasher and the
 * first admin. `api/node.ts`, `api/bun.ts` and `api/deno.ts` serve what this returns; the tests do the same.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateRandomString } from '@oslojs/crypto/random';
import { getConnInfo } from '@hono/node-server/conninfo';
import { migrate } from 'drizzle-orm/libsql/migrator';
import { createApp } from '../app';
import { ConfigError, type Config } from '../config';
import { createClient } from '@libsql/client';
import { FILE_BUSY_TIMEOUT_MS, libsqlDatabase } from '../db/libsql';
import { assembleDeps, type AppDeps } from '../deps';
import { webRandomBytes, type Clock, type PasswordHasher } from '../domain/ports';
import { bootstrapAdmin } from '../domain/users';
import { createArgon2Hasher } from './argon2';
import { withForeignVerifiers } from '../crypto/hashers';
import { pbkdf2Verifier } from '../crypto/pbkdf2';
import { createSmtpMailer } from './mailer';
import { HOST_KEY_FILE, privateDatabaseFile, privateDir, privateFile } from './fileModes';
import { loadOrCreateMasterKeyFile, MASTER_KEY_FILE } from './masterKey';
import { nativeSha256 } from './nativeSha256';
import { startHousekeeping } from './housekeeping';
import { startOutboxWorker } from './outbox';

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../db/migrations', import.meta.url));

export interface BootOptions {
  clock?: Clock;
  hasher?: PasswordHasher;
  log?: (line: string) => void;
  /** How this runtime's server tells the caller's address (Node's by default). */
  clientAddress?: AppDeps['clientAddress'];
  revision?: string;
  /** See AppDeps.setHeaderAtServer (api/node.ts sets headers at the socket). */
  setHeaderAtServer?: AppDeps['setHeaderAtServer'];
}

export interface BootedKeyfob {
  app: ReturnType<typeof createApp>;
  deps: AppDeps;
  /** Set on the first start of an empty database: the admin made, and its password if Keyfob generated it. */
  createdAdmin: { name: string; generatedPassword: string | null } | null;
  masterKeyFileCreated: string | null;
  /** Tells Keyfob the address it serves on, once known. */
  listening(url: string): void;
  close(): Promise<void>;
}

/**
 * Before anything is read or written: the data folder 0700 (fixed if it exists, made when something goes in
 * it), the key files in it 0600, and a file database with its -wal and -shm 0600. Whether the master key
 * comes from the environment or a file makes no difference. A database folder outside the data folder that
 * exists already is the operator's, and keeps its mode.
 */
function securePrivateFiles(config: Config) {
  const dataDir = resolve(config.dataDir);
  if (existsSync(dataDir)) privateDir(dataDir);
  for (const name of [MASTER_KEY_FILE, HOST_KEY_FILE]) privateFile(join(dataDir, name));
  if (!config.databaseUrl.startsWith('file:')) return;
  const path = config.databaseUrl.slice('file:'.length).split('?')[0] ?? '';
  if (!path || path === ':memory:') return;
  const file = resolve(path);
  if (dirname(file) === dataDir || !existsSync(dirname(file))) privateDir(dirname(file));
  privateDatabaseFile(file);
}

const PASSWORD_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

export async function bootNode(config: Config, options: BootOptions = {}): Promise<BootedKeyfob> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  securePrivateFiles(config);
  const master = config.masterKey ? { key: config.masterKey, created: false, path: null } : loadOrCreateMasterKeyFile(config.dataDir);

  // A busy timeout for files other processes may write too (see FILE_BUSY_TIMEOUT_MS).
  const isFile = config.databaseUrl.startsWith('file:');
  // One connection for a file: every statement runs synchronously anyway, and per-connection pragmas
  // (below) then hold for all of them. A busy timeout for files other processes write too.
  const client = createClient({
    url: config.databaseUrl,
    authToken: config.databaseAuthToken,
    ...(isFile ? { timeout: FILE_BUSY_TIMEOUT_MS, concurrency: 1 } : {}),
  });
  const db = libsqlDatabase(client);
  try {
    if (isFile) {
      await client.execute('PRAGMA journal_mode=WAL');
      // WAL with synchronous=NORMAL: commits stay atomic and the file never corrupts, but a commit no longer
      // waits for an fsync that would block the event loop (a power cut can lose the last commits).
      await client.execute('PRAGMA synchronous=NORMAL');
    }
    await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
  } catch (err) {
    client.close();
    const code = (err as { code?: string }).code ?? (err as Error).name;
    throw new ConfigError(`Cannot open or migrate the database at DATABASE_URL (${code}): check the URL, its auth token, and that the file is writable`);
  }

  // Known once the server listens; the outbox worker starts once the deps it delivers with exist.
  let listenUrl: string | null = null;
  let outbox: ReturnType<typeof startOutboxWorker> | null = null;
  const saml = config.saml ? { settings: config.saml, provider: (await import('./saml')).createSamlServiceProvider } : null;
  const deps = await assembleDeps(config, {
    db,
    masterKey: master.key,
    hasher: options.hasher ?? withForeignVerifiers(createArgon2Hasher(), [pbkdf2Verifier()]),
    sha256: nativeSha256,
    // Loaded only when LDAP is configured: most installations never need the LDAP client.
    directory: config.ldap ? (await import('./ldap')).createLdapDirectory(config.ldap) : undefined,
    env: process.env,
    clock: options.clock,
    revision: options.revision ?? 'keyfob-node',
    log,
    clientAddress: options.clientAddress ?? ((c) => getConnInfo(c).remote.address ?? null),
    listenHost: config.host,
    listenUrl: () => listenUrl,
    setHeaderAtServer: options.setHeaderAtServer,
    saml: saml ? (store, publicUrl) => saml.provider(saml.settings, store, publicUrl) : undefined,
    afterMailQueued: () => outbox?.kick(),
  });

  const generatedPassword =
    config.adminPassword === undefined ? generateRandomString({ read: (b) => b.set(webRandomBytes(b.length)) }, PASSWORD_ALPHABET, 20) : null;
  const admin = await bootstrapAdmin(deps, config.adminUser, config.adminPassword ?? (generatedPassword as string));
  const worker = startOutboxWorker(deps, config.smtpUrl ? createSmtpMailer(config.smtpUrl, config.mailFrom) : null);
  outbox = worker;
  const housekeeping = startHousekeeping(deps, config.housekeepingIntervalMs);

  return {
    app: createApp(deps),
    deps,
    createdAdmin: admin ? { name: admin.name, generatedPassword } : null,
    masterKeyFileCreated: master.created ? master.path : null,
    listening(url) {
      listenUrl = url;
    },
    close: async () => {
      await Promise.all([worker.stop(), housekeeping.stop()]);
      // The uses counted since the last write: written before the database closes (a write that fails loses them).
      await deps.usage?.flush(deps.store, deps.clock.now());
      client.close();
    },
  };
}
