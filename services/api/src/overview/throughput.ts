/**
 * Readings stored and rejected per minute over the last hour, read from CloudWatch: the Data
 * Service writes them as Embedded Metric Format counters (`dataServiceMetrics`, namespace `Fleet`,
 * dimension `Service=data`), which CloudWatch sums over every task. One GetMetricData call with two
 * MetricStat queries (Sum, 60 s), never a call per device or per reading.
 *
 * CloudWatch answers no datapoint for a minute nothing was written in
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html), so
 * such a minute counts 0 here: the Data Service writes its counters every interval once touched.
 */
import { GetMetricDataCommand, type MetricDataResult } from '@aws-sdk/client-cloudwatch';
import {
  dataServiceMetrics,
  monitoring,
  overviewLimits,
  serviceMetricDimensions,
  type Throughput,
  type ThroughputMinute,
} from '@fleet/core';
import type { ApiClients } from '../aws-clients.ts';

const minuteMs = 60_000;
/** The dimension the Data Service's EMF lines carry. */
const dataServiceDimension = Object.entries(serviceMetricDimensions('data')).map(([Name, Value]) => ({ Name, Value }));

export type AvailableThroughput = Extract<Throughput, { available: true }>;

/** The minutes the series covers: the last `overviewLimits.minutes` whole minutes, the current one included. */
export function throughputWindow(now: number): { from: number; to: number } {
  const to = Math.floor(now / minuteMs) * minuteMs + minuteMs;
  return { from: to - overviewLimits.minutes * minuteMs, to };
}

/** Reads the series; throws what CloudWatch threw (the caller answers the part as unavailable). */
export async function readThroughput(
  deps: { cloudwatch: ApiClients['cloudwatch']; timeoutMs: number },
  now: number,
): Promise<AvailableThroughput> {
  const { from, to } = throughputWindow(now);
  const query = (id: string, metricName: string) => ({
    Id: id,
    MetricStat: {
      Metric: { Namespace: monitoring.namespace, MetricName: metricName, Dimensions: dataServiceDimension },
      Period: 60,
      Stat: 'Sum',
    },
  });
  const results: MetricDataResult[] = [];
  let nextToken: string | undefined;
  // 2 × 60 datapoints fit one page (up to 100,800); the loop follows a NextToken all the same.
  do {
    const out = await deps.cloudwatch.send(
      new GetMetricDataCommand({
        MetricDataQueries: [query('readings', dataServiceMetrics.readingsStored), query('rejected', dataServiceMetrics.readingsRejected)],
        StartTime: new Date(from),
        EndTime: new Date(to),
        ScanBy: 'TimestampAscending',
        ...(nextToken ? { NextToken: nextToken } : {}),
      }),
      { abortSignal: AbortSignal.timeout(deps.timeoutMs) },
    );
    results.push(...(out.MetricDataResults ?? []));
    nextToken = out.NextToken;
  } while (nextToken);

  const perMinute = (id: string) => {
    const sums = new Map<number, number>();
    for (const r of results.filter((r) => r.Id === id)) {
      (r.Timestamps ?? []).forEach((t, i) => {
        const minute = Math.floor(t.getTime() / minuteMs) * minuteMs;
        sums.set(minute, (sums.get(minute) ?? 0) + (r.Values?.[i] ?? 0));
      });
    }
    return sums;
  };
  const readings = perMinute('readings');
  const rejected = perMinute('rejected');
  const minutes: ThroughputMinute[] = [];
  for (let t = from; t < to; t += minuteMs) {
    minutes.push({ t, readings: Math.round(readings.get(t) ?? 0), rejected: Math.round(rejected.get(t) ?? 0) });
  }
  const total = (key: 'readings' | 'rejected') => minutes.reduce((sum, m) => sum + m[key], 0);
  return { available: true, from, to, minutes, readings: total('readings'), rejected: total('rejected') };
}
