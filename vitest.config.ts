import { defineConfig } from 'vitest/config';

// Two projects so the fast loop stays fast: `npm run test:unit` runs pure domain tests only;
// `npm test` runs both, the integration project against real influxd, aedes and mosquitto clients.
export default defineConfig({
  test: {
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-results.json' },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          // Unit tests first: a broken domain model fails fast, before real servers start.
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'integration',
          sequence: { groupOrder: 1 },
          include: ['tests/integration/**/*.test.ts', 'tests/e2e/**/*.test.ts'],
          globalSetup: ['tests/setup/influxd-global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          // 2-core machines: a few files at a time keeps real servers from starving each other.
          maxWorkers: 2,
        },
      },
    ],
  },
});
