/**
 * One platform process for the measurements that need the platform as a whole and its memory over
 * time: the ingest run, then the soak, then the chart query (its day of readings last, so that
 * they weigh on neither the ingest figures nor the soak's memory).
 */
import type { Logger } from 'pino';
import { startPlatformProcess, type PlatformProcess } from '@fleet/e2e';
import { firstErrorLine } from './platform-output.ts';

/** Raised when the platform cannot be started: the report says so instead of a figure. `cause` holds the launcher's output. */
export class FleetUnavailableError extends Error {}

export async function startBenchPlatform(
  logger: Logger,
  options: { readonly dataTasks?: number; readonly flushSpacingMs?: number | undefined } = {},
): Promise<{ platform: PlatformProcess; platformStartMs: number }> {
  const started = Date.now();
  let platform: PlatformProcess;
  try {
    // `--data-tasks`: Data Service tasks on the ingest queue (the ECS service's desired count);
    // `--ingest-flush-spacing`: fresh data or write units, as the deployment chooses.
    const launcherArgs = ['--data-tasks', String(options.dataTasks ?? 1)];
    if (options.flushSpacingMs !== undefined) launcherArgs.push('--ingest-flush-spacing', String(options.flushSpacingMs));
    platform = await startPlatformProcess({ startTimeoutMs: 120_000, launcherArgs });
  } catch (err) {
    throw new FleetUnavailableError(`the Fleet platform did not start: ${firstErrorLine((err as Error).message)}`, { cause: err });
  }
  const platformStartMs = Date.now() - started;
  logger.info({ platformStartMs, gateway: platform.endpoints.gatewayUrl }, 'fleet platform started');
  return { platform, platformStartMs };
}

/** Runs `measure` on the platform; a failure carries the end of the launcher's output for the JSON. */
export async function onPlatform<T>(platform: PlatformProcess, measure: (platform: PlatformProcess) => Promise<T>): Promise<T> {
  try {
    return await measure(platform);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n--- last platform output ---\n${platform.output().slice(-3000)}`, { cause: err });
  }
}
