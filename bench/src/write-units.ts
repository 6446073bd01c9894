/**
 * DynamoDB write units per stored reading, from the Data Service's own counters: it asks DynamoDB
 * for the consumed capacity of every telemetry, latest and rollup write (`ReturnConsumedCapacity: 'TOTAL'`)
 * and counts the units and the readings stored as EMF metrics (`dataServiceMetrics` in
 * @fleet/core), which the local CloudWatch aggregates per minute. The bench sums them over the
 * platform's life with GetMetricStatistics, as an operator would read them on AWS. Beside them, the
 * cost model's units for the same flush composition (`writeShape` of @fleet/core), so a drift between
 * what the code writes and what `npm run cost` charges shows in every run.
 */
import { CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { consumerShape, dataServiceMetrics, monitoring, writeShape } from '@fleet/core';
import type { PlatformProcess } from '@fleet/e2e';

export interface WriteUnitSums {
  readonly readingsStored: number;
  /** Telemetry UpdateItems: about one per device and flush. */
  readonly telemetryWrites: number;
  readonly telemetryUnits: number;
  readonly latestUnits: number;
  readonly rollupUnits: number;
}

/** How the measured readings arrived: a device's interval during the load and the values per reading. */
export interface LoadComposition {
  readonly intervalSeconds: number;
  readonly metrics: number;
}

/** The cost model's units per reading for a composition. */
export interface ModelledWriteUnits {
  /**
   * Readings of one device per flush, measured: a flush writes each device's window once
   * (`TelemetryWrites`), so readings ÷ telemetry writes counts them. (The latest item no longer
   * tells: it is written at most once a second, latest-coalescer.ts.)
   */
  readonly readingsPerDeviceFlush: number;
  readonly telemetryUnitsPerReading: number;
  readonly latestUnitsPerReading: number;
  readonly rollupUnitsPerReading: number;
  readonly unitsPerReading: number;
}

export interface WriteUnitsMeasurement extends WriteUnitSums {
  /** (telemetry + latest + rollup units) ÷ readings stored; undefined before the first stored reading. */
  readonly unitsPerReading: number | undefined;
  readonly telemetryUnitsPerReading: number | undefined;
  readonly latestUnitsPerReading: number | undefined;
  readonly rollupUnitsPerReading: number | undefined;
  /** The model's figures for the measured composition; undefined without a composition or a telemetry write. */
  readonly modelled: ModelledWriteUnits | undefined;
}

/** The model's units per reading for `composition`, with the readings per device and flush the counters imply. */
export function modelledWriteUnits(sums: WriteUnitSums, composition: LoadComposition): ModelledWriteUnits | undefined {
  if (sums.telemetryWrites <= 0 || sums.readingsStored <= 0) return undefined;
  const shape = writeShape({
    ...composition,
    flushSeconds: consumerShape.flushSeconds,
    readingsPerDeviceFlush: sums.readingsStored / sums.telemetryWrites,
  });
  return {
    readingsPerDeviceFlush: shape.readingsPerDeviceFlush,
    telemetryUnitsPerReading: shape.telemetryUnitsPerReading,
    latestUnitsPerReading: shape.latestUnitsPerReading,
    rollupUnitsPerReading: shape.rollupUnitsPerReading,
    unitsPerReading: shape.telemetryUnitsPerReading + shape.latestUnitsPerReading + shape.rollupUnitsPerReading,
  };
}

/** Units per stored reading from the summed counters, and the model's beside them when the composition is known. */
export function writeUnitsPerReading(sums: WriteUnitSums, composition?: LoadComposition): WriteUnitsMeasurement {
  const per = (units: number) => (sums.readingsStored > 0 ? units / sums.readingsStored : undefined);
  return {
    ...sums,
    unitsPerReading: per(sums.telemetryUnits + sums.latestUnits + sums.rollupUnits),
    telemetryUnitsPerReading: per(sums.telemetryUnits),
    latestUnitsPerReading: per(sums.latestUnits),
    rollupUnitsPerReading: per(sums.rollupUnits),
    modelled: composition ? modelledWriteUnits(sums, composition) : undefined,
  };
}

/** Sums of the Data Service's counters over the last 6 hours: since the bench's platform started (one-minute aggregates). */
export async function readWriteUnitSums(platform: PlatformProcess): Promise<WriteUnitSums> {
  const credentials = await platform.credentials();
  const cloudwatch = new CloudWatchClient({
    endpoint: platform.endpoints.awsEndpoint,
    region: platform.endpoints.region,
    ...(credentials ? { credentials } : {}),
  });
  try {
    const sum = async (metricName: string) => {
      const out = await cloudwatch.send(
        new GetMetricStatisticsCommand({
          Namespace: monitoring.namespace,
          MetricName: metricName,
          Dimensions: [{ Name: 'Service', Value: 'data' }],
          // Within CloudWatch's 1,440 datapoints per call; the bench's platform lives minutes.
          StartTime: new Date(Date.now() - 6 * 3_600_000),
          EndTime: new Date(Date.now() + 60_000),
          Period: 60,
          Statistics: ['Sum'],
        }),
      );
      return (out.Datapoints ?? []).reduce((total, d) => total + (d.Sum ?? 0), 0);
    };
    const [readingsStored, telemetryWrites, telemetryUnits, latestUnits, rollupUnits] = await Promise.all([
      sum(dataServiceMetrics.readingsStored),
      sum(dataServiceMetrics.telemetryWrites),
      sum(dataServiceMetrics.telemetryWriteCapacityUnits),
      sum(dataServiceMetrics.latestWriteCapacityUnits),
      sum(dataServiceMetrics.rollupWriteCapacityUnits),
    ]);
    return { readingsStored, telemetryWrites, telemetryUnits, latestUnits, rollupUnits };
  } finally {
    cloudwatch.destroy();
  }
}

/** What the counters added between two readings of them. */
export function writeUnitsSince(before: WriteUnitSums, after: WriteUnitSums): WriteUnitSums {
  return {
    readingsStored: after.readingsStored - before.readingsStored,
    telemetryWrites: after.telemetryWrites - before.telemetryWrites,
    telemetryUnits: after.telemetryUnits - before.telemetryUnits,
    latestUnits: after.latestUnits - before.latestUnits,
    rollupUnits: after.rollupUnits - before.rollupUnits,
  };
}

const nothingCounted: WriteUnitSums = { readingsStored: 0, telemetryWrites: 0, telemetryUnits: 0, latestUnits: 0, rollupUnits: 0 };

/**
 * Waits until the counters account for at least `storedAtLeast` readings since `since` (the service
 * writes its metrics every 10 s), then returns the units per reading over that span; after
 * `timeoutMs` returns what is there.
 */
export async function measureWriteUnits(
  platform: PlatformProcess,
  options: { storedAtLeast: number; composition?: LoadComposition; since?: WriteUnitSums; timeoutMs?: number },
): Promise<WriteUnitsMeasurement> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    const sums = writeUnitsSince(options.since ?? nothingCounted, await readWriteUnitSums(platform));
    if (sums.readingsStored >= options.storedAtLeast || Date.now() >= deadline) return writeUnitsPerReading(sums, options.composition);
    await new Promise((r) => setTimeout(r, 1000));
  }
}
