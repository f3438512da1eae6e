import type { Client } from '@libsql/client';
// The web flavour takes any Client and pulls in no Node-only code, so one module serves every runtime.
import { drizzle } from 'drizzle-orm/libsql/web';
import * as schema from './schema';
import type { KeyfobDatabase } from './store';

/**
 * The drizzle database on a libSQL client. The client is made by the entry: `@libsql/client` on Node,
 * Bun and Deno (files and servers), `@libsql/client/web` on edge runtimes (servers only).
 */
export function libsqlDatabase(client: Client): KeyfobDatabase {
  return drizzle(client, { schema });
}
