/**
 * The import-boundary table: which of our workspaces each part of the tree may import by package name.
 * It is the design's rooms and doors (README, "Architecture"): core is the one contract both runtimes
 * share; a service never knows which runtime it is in, so it imports neither another service nor the
 * local cloud (its tests may use the local cloud's testing face); the local cloud stands in for AWS
 * and never imports a service.
 *
 * Relative paths never leave a workspace, and every import is declared in the importer's package.json:
 * e2e/src/workspace-manifests.test.ts checks both. e2e/src/import-boundaries.test.ts checks this table.
 */

const core = ['core', 'core/*'];

/** A service's test files and the test-support folders only they import. */
const serviceTestFiles = ['services/*/src/**/*.test.ts', 'services/*/src/**/testing/**', 'services/*/src/**/test-support/**'];

/** @type {ReadonlyArray<{ room: string; files: string[]; ignores?: string[]; may: string[]; why: string }>} */
export const importBoundaries = [
  {
    room: 'core',
    files: ['packages/core/**'],
    may: [],
    why: 'core is the contract both runtimes share: it imports nothing of ours',
  },
  {
    room: 'local cloud',
    files: ['packages/local-cloud/**'],
    may: core,
    why: 'the local cloud stands in for AWS: it imports core, never a service',
  },
  {
    room: 'simulator',
    files: ['packages/simulator/**'],
    may: core,
    why: 'the simulator is devices and a user: it reaches the platform through public protocols only',
  },
  {
    room: 'services',
    files: ['services/**'],
    ignores: serviceTestFiles,
    may: core,
    why: 'a service imports core only: never another service (it asks it over HTTP) nor the local cloud (it does not know which runtime it is in)',
  },
  {
    room: 'service tests',
    files: serviceTestFiles,
    may: [...core, 'local-cloud/testing'],
    why: "a service's tests use core and the local cloud's testing face, never its src nor another service",
  },
  {
    room: 'infra',
    files: ['infra/**'],
    may: core,
    why: 'the CDK app deploys the services from their folders and shares only core with them',
  },
  {
    room: 'e2e',
    files: ['e2e/**'],
    may: [...core, 'local-cloud', 'local-cloud/*', 'simulator'],
    why: 'end-to-end tests start the platform and drive it as devices and users do',
  },
  {
    room: 'bench',
    files: ['bench/**'],
    may: [...core, 'local-cloud', 'local-cloud/*', 'simulator', 'e2e', 'data-service'],
    why: 'benchmarks reuse the end-to-end harness and measure the pieces they name',
  },
];

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `@fleet/<anything but the allowed>`: `core/*` allows core's subpaths, `core` the package itself. */
export function forbiddenFleetImports(may) {
  const allowed = may.map((entry) => (entry.endsWith('/*') ? `${escape(entry.slice(0, -2))}/.+` : escape(entry)));
  return allowed.length === 0 ? '^@fleet/' : `^@fleet/(?!(?:${allowed.join('|')})$)`;
}

/** One ESLint block per room. */
export const importBoundaryBlocks = importBoundaries.map(({ room, files, ignores, may, why }) => ({
  name: `fleet/import-boundaries/${room}`,
  files,
  ...(ignores ? { ignores } : {}),
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            regex: forbiddenFleetImports(may),
            message: `${room}: ${why}${may.length ? ` (may import @fleet/${may.join(', @fleet/')})` : ''}. See eslint.boundaries.js.`,
          },
        ],
      },
    ],
  },
}));
