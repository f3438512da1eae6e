import { defineConfig } from 'vitest/config';
import { WxtVitest } from 'wxt/testing/vitest-plugin';

/**
 * Two tiers. `unit` and `extension` are pure (no server, no browser, no build): `npm run test:unit` runs them
 * in seconds. `api` starts real Keyfobs, directories and mail servers; `e2e` drives real browsers and alone
 * pays for building the extension, in its own global setup.
 */
export default defineConfig({
  test: {
    // Native modules (libSQL, argon2), child processes and browsers: separate processes are the safe isolation.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['api/**/*.test.ts', 'shared/**/*.test.ts'] },
      },
      {
        // The extension's logic, with WXT's fake browser standing in for the extension APIs.
        extends: true,
        plugins: [WxtVitest()],
        test: { name: 'extension', include: ['extension/**/*.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'api',
          include: ['tests/api/**/*.test.ts', 'tests/node/**/*.test.ts'],
          globalSetup: ['tests/helpers/workerdSetup.ts'],
        },
      },
      {
        extends: true,
        test: { name: 'e2e', include: ['tests/e2e/**/*.test.ts'], globalSetup: ['tests/helpers/globalSetup.ts'] },
      },
    ],
  },
});
