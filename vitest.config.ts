import { defineConfig } from 'vitest/config';
import { suiteSettings } from './e2e/src/suite-settings.ts';

// Settings many test files share, read from the environment here, once (the test runs' composition root).
const provide = suiteSettings(process.env);

const exclude = ['**/node_modules/**', '**/cdk.out/**', '**/dist/**'];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'packages/*/src/**/*.test.ts',
            'services/*/src/**/*.test.ts',
            'services/frontend/web/src/**/*.test.ts',
            'infra/**/*.test.ts',
            'bench/src/**/*.test.ts',
          ],
          exclude,
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        // Each end-to-end file starts the whole platform: one at a time on a 2-core machine.
        test: {
          name: 'e2e',
          include: ['e2e/**/*.test.ts'],
          exclude: [...exclude, 'e2e/src/fault/**'],
          provide,
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
      {
        // Fault injection (kill -9 under load, restarts, floods, poison messages; then count acknowledged
        // vs stored): slow, after e2e in `npm test` or alone with `npm run test:fault`, one file at a time.
        test: {
          name: 'fault',
          include: ['e2e/src/fault/**/*.test.ts'],
          exclude,
          provide,
          fileParallelism: false,
          testTimeout: 300_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
