/**
 * `npm run unlock -- NAME`: the operator's way back in. Clears NAME's failed sign-ins and lock on the
 * server itself, with no credential at all: for the day the lock policy has locked out every admin. It
 * reads the same configuration as `npm start`; a running Keyfob sees the change within its cache bound.
 */
import { createClient } from '@libsql/client';
import { userNameKey } from '../../shared/schemas';
import { ConfigError, loadConfig } from '../config';
import { libsqlDatabase } from '../db/libsql';
import { createDrizzleStore } from '../db/store';
import { auditEvent } from '../domain/deps';
import { systemClock } from '../domain/ports';

const name = process.argv[2]?.trim();
try {
  if (!name) throw new ConfigError('usage: npm run unlock -- NAME');
  const config = loadConfig(process.env);
  const client = createClient({ url: config.databaseUrl, authToken: config.databaseAuthToken });
  const store = createDrizzleStore(libsqlDatabase(client));
  const user = await store.findUserByNameKey(userNameKey(name));
  const ctx = { clientAddress: null, userAgent: 'npm run unlock' };
  await store.unlockUsers([userNameKey(name)], user ? [auditEvent({ clock: systemClock }, ctx, 'user-unlocked', user, { by: 'the server operator' })] : []);
  client.close();
  console.log(
    user
      ? `Unlocked '${user.name}': their failed sign-ins are cleared and the password works again.`
      : `No user '${name}' exists; any failed sign-ins counted for that name are cleared.`,
  );
} catch (err) {
  process.stderr.write(`keyfob unlock: ${err instanceof ConfigError ? err.message : (err as Error).name}\n`);
  process.exit(1);
}
