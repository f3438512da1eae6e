import { defineConfig } from 'drizzle-kit';

// `npm run db:generate` writes migrations from the schema; `npm run db:migrate` applies them to
// DATABASE_URL (a remote libSQL server for Workers; Node, Bun and Deno migrate themselves at start).
const url = process.env.DATABASE_URL ?? 'file:data/keyfob.db';

export default defineConfig({
  dialect: url.startsWith('file:') ? 'sqlite' : 'turso',
  schema: './api/db/schema.ts',
  out: './api/db/migrations',
  dbCredentials: { url, authToken: process.env.DATABASE_AUTH_TOKEN },
});
