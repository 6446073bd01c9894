/**
 * The simulator's command line as `npm run simulate` runs it (through tsx, its own process), against
 * a platform's endpoints file: the arguments for `process.execPath`.
 */
import { join } from 'node:path';
import { dataLayout } from '@fleet/local-cloud';
import { repoRoot, type PlatformProcess } from './platform-process.ts';

export function simulatorArgs(platform: Pick<PlatformProcess, 'dataDir'>, args: readonly string[]): string[] {
  return [
    '--import',
    'tsx',
    join(repoRoot, 'packages/simulator/src/main.ts'),
    '--endpoints',
    dataLayout(platform.dataDir).endpointsFile,
    ...args,
  ];
}
