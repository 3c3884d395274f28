import { defineConfig } from 'vitest/config';

// Unit and API tests. Browser tests live in test/browser and run with
// `npm run test:browser` (they need Debian's chromium).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/browser/**', 'node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
