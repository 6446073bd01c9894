import { defineConfig } from 'vitest/config';

const exclude = ['**/node_modules/**', '**/cdk.out/**', '**/dist/**'];
// The lockfile pins an SDK release that supports Node 20 (NOTES.md); its upgrade notice is known.
const env = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'services/*/src/**/*.test.ts', 'infra/**/*.test.ts', 'bench/src/**/*.test.ts'],
          exclude,
          env,
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        // Each end-to-end file starts the whole platform: one at a time on a 2-core machine.
        test: {
          name: 'e2e',
          include: ['e2e/**/*.test.ts'],
          exclude,
          env,
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
