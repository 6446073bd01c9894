/**
 * Whether the e2e suite runs against a deployed stack: the endpoints file `FLEET_E2E_ENDPOINTS`
 * names (provided by `vitest.config.ts`, see `suite-settings.ts`), else `undefined` and every test
 * starts local platform processes. Test files only: it asks vitest for the value.
 */
import { inject } from 'vitest';
import './suite-settings.ts';

export const deployedEndpointsFile: string | undefined = inject('deployedEndpointsFile') || undefined;
