/**
 * `npm run outbox`: prints the mail waiting in the outbox (reset links among it), for a single-machine
 * Keyfob without SMTP. It reads the same configuration as `npm start` and needs the master key.
 */
import { createClient } from '@libsql/client';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../config';
import { createKeyRing, parseMasterKey } from '../crypto/keyring';
import { libsqlDatabase } from '../db/libsql';
import { createDrizzleStore } from '../db/store';
import { openMail } from '../domain/mail';

try {
  const config = loadConfig(process.env);
  const keyFile = join(config.dataDir, 'master.key');
  const masterKey = config.masterKey ?? (existsSync(keyFile) ? parseMasterKey(readFileSync(keyFile, 'utf8')) : null);
  if (!masterKey) throw new ConfigError(`no master key: set KEYFOB_MASTER_KEY or run from where ${keyFile} exists`);
  const client = createClient({ url: config.databaseUrl, authToken: config.databaseAuthToken });
  const store = createDrizzleStore(libsqlDatabase(client));
  const keys = await createKeyRing(masterKey);
  const waiting = await store.listUndeliveredMail();
  if (waiting.length === 0) console.log('The outbox is empty.');
  for (const message of waiting) {
    console.log(`--- #${message.id}, ${new Date(message.createdAt).toISOString()}, to ${message.recipient}: ${message.subject}`);
    console.log((await openMail({ keys }, message)) ?? '(sealed under another master key: cannot be opened)');
  }
  client.close();
} catch (err) {
  process.stderr.write(`keyfob outbox: ${err instanceof ConfigError ? err.message : (err as Error).name}\n`);
  process.exit(1);
}
