import type { Client, InStatement } from '@libsql/client';
// The web flavour takes any Client and pulls in no Node-only code, so one module serves every runtime.
import { drizzle } from 'drizzle-orm/libsql/web';
import * as schema from './schema';
import type { KeyfobDatabase } from './store';

/**
 * How long a write on a `file:` database waits for another process's write to finish. Every write is one
 * short synchronous batch and none holds the lock across an await, so in practice a wait lasts
 * milliseconds; SQLite waits synchronously, which is why the bound is not larger.
 */
export const FILE_BUSY_TIMEOUT_MS = 5_000;

const READ_ONLY = /^\s*(?:select|with|pragma|explain)\b/i;

const sqlOf = (stmt: InStatement) => (typeof stmt === 'string' ? stmt : stmt.sql);

/**
 * Makes every write on a libSQL client take the write lock before it does anything.
 *
 * The trap (`@libsql/client` 0.18 on a file shared by processes): a write that meets SQLITE_BUSY part-way
 * (an autocommit INSERT … RETURNING, or drizzle's BEGIN DEFERRED batches upgrading to a write) leaves
 * its statement un-reset, and the connection then keeps an old read snapshot and answers
 * SQLITE_BUSY_SNAPSHOT to every later write until the process exits. Here every write is a batch that
 * opens with BEGIN IMMEDIATE, where SQLite's busy timeout waits for the lock instead of failing.
 */
export function withImmediateWrites(client: Client): Client {
  const batch: Client['batch'] = (stmts, mode) => client.batch(stmts, mode ?? 'write');
  const execute = (async (stmt: InStatement, args?: never) => {
    if (args !== undefined || READ_ONLY.test(sqlOf(stmt))) return client.execute(stmt as never, args as never);
    return (await client.batch([stmt], 'write'))[0]!;
  }) as Client['execute'];
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property === 'execute') return execute;
      if (property === 'batch') return batch;
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/**
 * The drizzle database on a libSQL client. The client is made by the entry: `@libsql/client` on Node,
 * Bun and Deno (files and servers), `@libsql/client/web` on edge runtimes (servers only).
 */
export function libsqlDatabase(client: Client): KeyfobDatabase {
  return drizzle(withImmediateWrites(client), { schema });
}
