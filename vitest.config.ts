import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts', 'api/**/*.test.ts', 'shared/**/*.test.ts'],
    globalSetup: ['tests/helpers/globalSetup.ts'],
    // Native modules (libSQL, argon2) and child processes: separate processes are the safe isolation.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
