import { createClient, type Client } from '@libsql/client';
import { drizzle } from 'drizzle-orm/libsql';
import * as schema from './schema';
import type { KeyfobDatabase } from './store';

/** A libSQL client and its drizzle database, for a `file:` database or a remote libSQL server. */
export function openLibsql(url: string, authToken?: string): { client: Client; db: KeyfobDatabase } {
  const client = createClient({ url, authToken });
  return { client, db: drizzle(client, { schema }) };
}
