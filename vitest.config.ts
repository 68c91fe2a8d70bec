import { defineConfig } from 'vitest/config';

// Tests run from source: the `forge-source` export condition points every workspace package
// at its `src/index.ts`, so no build step sits between an edit and a test run.
export default defineConfig({
  resolve: { conditions: ['forge-source'] },
  ssr: { resolve: { conditions: ['forge-source'], externalConditions: ['forge-source'] } },
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'services/*/src/**/*.test.ts',
      'tools/*/src/**/*.test.ts',
      'e2e/**/*.test.ts',
    ],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
