import { defineConfig } from 'vitest/config';
import { WxtVitest } from 'wxt/testing/vitest-plugin';

export default defineConfig({
  test: {
    // Native modules (libSQL, argon2), child processes and browsers: separate processes are the safe isolation.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    globalSetup: ['tests/helpers/globalSetup.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'api', include: ['tests/**/*.test.ts', 'api/**/*.test.ts', 'shared/**/*.test.ts'] },
      },
      {
        // The extension's logic, with WXT's fake browser standing in for the extension APIs.
        extends: true,
        plugins: [WxtVitest()],
        test: { name: 'extension', include: ['extension/**/*.test.ts'] },
      },
    ],
  },
});
