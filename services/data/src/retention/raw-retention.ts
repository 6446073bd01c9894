/**
 * A live reading older than its device's raw retention would land in a window item that is already
 * expired (DynamoDB TTL may delete it at any time), so ingest refuses it as a dead letter with the
 * reason, as it refuses readings older than the acceptance window (`telemetryLimits.maxAgeMs`).
 * Only a raw retention shorter than that window can refuse anything. Historical imports are not
 * checked: their rollups outlive the raw items.
 */
import { telemetryLimits } from '@fleet/core';

/** The store's refusal of a reading past its raw retention: the reading's fault, never retried. */
export class ReadingPastRetention extends Error {
  constructor(ts: number, rawDays: number) {
    super(`"ts" ${ts} is older than the device's raw retention of ${rawDays} days`);
    this.name = 'ReadingPastRetention';
  }
}

/** Whether a reading at `ts` arriving `at` is past a raw retention of `rawDays`. */
export function isPastRawRetention(ts: number, rawDays: number, at: number): boolean {
  const keptMs = rawDays * 86_400_000;
  return keptMs < telemetryLimits.maxAgeMs && ts < at - keptMs;
}
