/**
 * For unit tests: a real libSQL database in memory with Keyfob's migrations applied, a user to insert,
 * and the store with its calls counted (to prove which paths read nothing).
 */
import { fileURLToPath } from 'node:url';
import { createClient } from '@libsql/client';
import { migrate } from 'drizzle-orm/libsql/migrator';
import { libsqlDatabase } from '../db/libsql';
import { createDrizzleStore } from '../db/store';
import type { Store } from '../domain/ports';
import type { NewUser } from '../domain/records';

const MIGRATIONS = fileURLToPath(new URL('../db/migrations', import.meta.url));

export async function memoryStore(): Promise<Store> {
  const db = libsqlDatabase(createClient({ url: ':memory:' }));
  await migrate(db, { migrationsFolder: MIGRATIONS });
  return createDrizzleStore(db);
}

export function newUser(name: string): NewUser {
  return {
    name,
    nameKey: name,
    email: `${name}@example.com`,
    realm: 'internal',
    admin: false,
    profileUpdatable: true,
    disableUIAccess: false,
    internalPasswordDisabled: false,
    keysWithoutUnlock: false,
    passwordHash: 'x',
    passwordStamp: 's',
    passwordExpired: false,
    groups: ['readers'],
    lastLoggedIn: null,
    lockedAt: null,
    createdAt: 1,
    updatedAt: 1,
  };
}

/** The store with a count of calls per method, and a way to hold one call open. */
export function counted(store: Store) {
  const calls: Record<string, number> = {};
  let gate: { method: string; open: Promise<void> } | null = null;
  const proxy = new Proxy(store, {
    get(target, property: string) {
      const method = Reflect.get(target, property) as (...args: unknown[]) => Promise<unknown>;
      return async (...args: unknown[]) => {
        calls[property] = (calls[property] ?? 0) + 1;
        const result = await method.apply(target, args);
        if (gate?.method === property) await gate.open;
        return result;
      };
    },
  });
  return { store: proxy, calls, hold: (method: string, open: Promise<void>) => (gate = { method, open }) };
}
