/**
 * What every fault scenario file does around its one test: a platform that is stopped after the
 * file whatever the test did (a platform left running would hold the ports the next file needs),
 * and the verdict every scenario must reach.
 */
import { afterAll, expect } from 'vitest';
import { startFaultPlatform, type FaultPlatform } from './harness.ts';
import type { RunVerdict } from './stored-tally.ts';

/** Call at the top of the file; the test calls the function it returns to start the platform. */
export function platformStoppedAfterThisFile(): () => Promise<FaultPlatform> {
  let platform: FaultPlatform | undefined;
  afterAll(async () => {
    await platform?.stop();
  }, 60_000);
  return async () => (platform = await startFaultPlatform());
}

/**
 * No acknowledged reading lost and none stored twice. `acknowledgedMoreThan` keeps the check
 * honest: a run in which (almost) nothing was acknowledged would pass the other two trivially.
 */
export function expectEveryAcknowledgedReadingStoredOnce(
  verdict: RunVerdict,
  { acknowledgedMoreThan }: { acknowledgedMoreThan: number },
): void {
  expect(verdict.acknowledged).toBeGreaterThan(acknowledgedMoreThan);
  expect(verdict.lost).toBe(0);
  expect(verdict.duplicated).toBe(0);
}
