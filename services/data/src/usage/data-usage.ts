/**
 * `GET /data/data-usage`: the measured volumes next to the modelled monthly cost of the fleet as it
 * runs now: its devices, the ingest rate this task measured, and the retention settings in force
 * (`fleet-data-control`, `pk = settings`, `sk = retention`; the defaults until an admin sets them).
 */
import { modelMonthlyCost, type DataUsage } from '@fleet/core';
import type { RetentionStore } from '../retention/retention-store.ts';
import { measureVolumes, type VolumeSources } from './data-volumes.ts';
import type { IngestRate } from './ingest-rate.ts';

/**
 * Values per reading the model assumes: the simulator's devices send three (temperature, humidity,
 * battery). Each is a few bytes of a window item; the writes and requests do not depend on it.
 */
export const modelledMetricsPerReading = 3;

export interface DataUsageDeps extends VolumeSources {
  /** The retention settings in force (the defaults until an admin sets them). */
  readonly retention: Pick<RetentionStore, 'get'>;
  readonly rate: IngestRate;
  /** The consumer's flush spacing (`INGEST_FLUSH_SPACING_MS`). @default the model's default */
  readonly flushSpacingMs?: number;
  readonly now?: () => number;
}

export interface DataUsageReader {
  read(): Promise<DataUsage>;
}

export function createDataUsageReader(deps: DataUsageDeps): DataUsageReader {
  const now = deps.now ?? Date.now;
  return {
    async read() {
      const [{ volumes, devices }, settings] = await Promise.all([measureVolumes(deps), deps.retention.get()]);
      const readingsPerSecond = deps.rate.perSecond();
      const model = modelMonthlyCost({
        devices,
        // The model takes a rate per device; with no device or no reading, nothing is ingested.
        intervalSeconds: devices > 0 && readingsPerSecond > 0 ? devices / readingsPerSecond : Number.POSITIVE_INFINITY,
        metrics: modelledMetricsPerReading,
        retention: settings.fleet,
        // Monthly active users are Cognito's to count; the model's user lines start at none.
        users: 0,
        ingestPath: 'broker',
        ...(deps.flushSpacingMs !== undefined ? { flushSpacingMs: deps.flushSpacingMs } : {}),
      });
      return {
        measuredAt: new Date(now()).toISOString(),
        volumes,
        model: {
          devices,
          readingsPerSecond,
          monthlyUsd: model.monthlyUsd,
          perMillionReadingsUsd: model.perMillionReadingsUsd,
          lines: model.lines,
          pricesAsOf: model.pricesAsOf,
        },
      };
    },
  };
}
