/**
 * The settings of the e2e and fault suites, read from the environment once, by the test config
 * (`vitest.config.ts`, the suites' composition root), and handed to the test files with
 * vitest's `provide` / `inject`. Unset variables are provided as ''.
 */
declare module 'vitest' {
  export interface ProvidedContext {
    /** `FLEET_E2E_ENDPOINTS`: a deployed stack's endpoints file to test against instead of a local platform. */
    readonly deployedEndpointsFile: string;
    /** `FLEET_FAULT_SEED`: replays a fault-injection run's random points. */
    readonly faultSeed: string;
  }
}

/** What `vitest.config.ts` provides to the e2e and fault projects. */
export function suiteSettings(env: Readonly<Record<string, string | undefined>>): { deployedEndpointsFile: string; faultSeed: string } {
  return { deployedEndpointsFile: env['FLEET_E2E_ENDPOINTS'] ?? '', faultSeed: env['FLEET_FAULT_SEED'] ?? '' };
}
