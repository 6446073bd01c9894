/**
 * DynamoDB write units per stored reading, from the Data Service's own counters: it asks DynamoDB
 * for the consumed capacity of every telemetry and latest write (`ReturnConsumedCapacity: 'TOTAL'`)
 * and counts the units and the readings stored as EMF metrics (`dataServiceMetrics` in
 * @fleet/core), which the local CloudWatch aggregates per minute. The bench sums them over the
 * platform's life with GetMetricStatistics, as an operator would read them on AWS.
 */
import { CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { dataServiceMetrics, monitoring } from '@fleet/core';
import type { PlatformProcess } from '@fleet/e2e';

export interface WriteUnitSums {
  readonly readingsStored: number;
  readonly telemetryUnits: number;
  readonly latestUnits: number;
}

export interface WriteUnitsMeasurement extends WriteUnitSums {
  /** (telemetry + latest units) ÷ readings stored; undefined before the first stored reading. */
  readonly unitsPerReading: number | undefined;
  readonly telemetryUnitsPerReading: number | undefined;
  readonly latestUnitsPerReading: number | undefined;
}

/** Units per stored reading from the summed counters. */
export function writeUnitsPerReading(sums: WriteUnitSums): WriteUnitsMeasurement {
  const per = (units: number) => (sums.readingsStored > 0 ? units / sums.readingsStored : undefined);
  return {
    ...sums,
    unitsPerReading: per(sums.telemetryUnits + sums.latestUnits),
    telemetryUnitsPerReading: per(sums.telemetryUnits),
    latestUnitsPerReading: per(sums.latestUnits),
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
    const [readingsStored, telemetryUnits, latestUnits] = await Promise.all([
      sum(dataServiceMetrics.readingsStored),
      sum(dataServiceMetrics.telemetryWriteCapacityUnits),
      sum(dataServiceMetrics.latestWriteCapacityUnits),
    ]);
    return { readingsStored, telemetryUnits, latestUnits };
  } finally {
    cloudwatch.destroy();
  }
}

/**
 * Waits until the counters account for at least `storedAtLeast` readings (the service writes its
 * metrics every 10 s), then returns the units per reading; after `timeoutMs` returns what is there.
 */
export async function measureWriteUnits(
  platform: PlatformProcess,
  storedAtLeast: number,
  timeoutMs = 30_000,
): Promise<WriteUnitsMeasurement> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const sums = await readWriteUnitSums(platform);
    if (sums.readingsStored >= storedAtLeast || Date.now() >= deadline) return writeUnitsPerReading(sums);
    await new Promise((r) => setTimeout(r, 1000));
  }
}
