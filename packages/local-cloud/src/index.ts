/**
 * `@fleet/local-cloud`: what the tools around the launcher need. e2e tests and benchmarks start the
 * launcher as a process (`launcherScript`, `npm start`'s entry), find its files through the
 * data-folder layout, and run dynalite as the local cloud runs it. Test fixtures (stand-ins on
 * ephemeral ports with SDK clients) are `@fleet/local-cloud/testing`.
 */
import { fileURLToPath } from 'node:url';

/** The launcher's entry point, `npm start`'s: run it with `node --import tsx`, after `launcherNodeFlags` and with `localProcessEnvironment`. */
export const launcherScript = fileURLToPath(new URL('./main.ts', import.meta.url));

export { dataLayout, standInFolders, type DataLayout, type StandInFolder } from './launcher/data-layout.ts';
export { layoutMoves, migrateDataLayout, DataLayoutConflict, type Migration } from './launcher/data-migration.ts';
export { createTableInput, dynaliteScript, ensureTables, sweepExpiredItems } from './dynamodb/index.ts';
export { startReadyChild, type ReadyChild } from './child-process/index.ts';
export { launcherNodeFlags, localProcessEnvironment } from './child-process/process-memory-settings.ts';
