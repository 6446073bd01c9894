/**
 * The metric store: one-minute aggregates (count, sum, min, max) per metric, dimension set and
 * unit — never raw values — so memory grows with series × minutes kept, not with the number of
 * PutMetricData calls. One-minute resolution is what CloudWatch keeps for 15 days for standard
 * metrics (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#metrics-retention),
 * so that is the default retention; older minutes are pruned.
 */

export interface Dimension {
  readonly Name: string;
  readonly Value: string;
}

export interface Aggregate {
  count: number;
  sum: number;
  min: number;
  max: number;
}

/** A metric as CloudWatch identifies it: namespace, name and the exact dimension set. */
export interface MetricId {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: readonly Dimension[];
}

interface Series extends MetricId {
  readonly unit: string;
  /** Minute start (epoch ms) → aggregate of every value recorded in that minute. */
  readonly buckets: Map<number, Aggregate>;
}

export interface PeriodAggregate {
  /** Period start, epoch ms. */
  readonly timestamp: number;
  readonly aggregate: Aggregate;
  /** The unit of the values, or undefined when several units were mixed. */
  readonly unit: string | undefined;
}

export const statisticNames = ['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum'] as const;
export type StatisticName = (typeof statisticNames)[number];

export function isStatisticName(value: string): value is StatisticName {
  return (statisticNames as readonly string[]).includes(value);
}

export function statisticValue(aggregate: Aggregate, statistic: StatisticName): number {
  switch (statistic) {
    case 'SampleCount':
      return aggregate.count;
    case 'Sum':
      return aggregate.sum;
    case 'Average':
      return aggregate.count === 0 ? 0 : aggregate.sum / aggregate.count;
    case 'Minimum':
      return aggregate.min;
    case 'Maximum':
      return aggregate.max;
  }
}

export interface MetricSnapshot {
  readonly version: 1;
  readonly series: readonly {
    readonly namespace: string;
    readonly metricName: string;
    readonly dimensions: readonly Dimension[];
    readonly unit: string;
    /** [minute start ms, count, sum, min, max] */
    readonly buckets: readonly (readonly [number, number, number, number, number])[];
  }[];
}

export interface MetricStore {
  /** Adds an aggregate of values observed at `timestamp` (epoch ms) to its minute. */
  record(metric: MetricId, unit: string, timestamp: number, aggregate: Aggregate): void;
  /** Distinct metrics (namespace, name, dimensions) holding data, sorted. */
  metrics(): MetricId[];
  /**
   * Aggregates of the metric whose dimension set equals `metric.dimensions` exactly (as CloudWatch
   * matches them), per period aligned to multiples of `periodSeconds` since the epoch, over the
   * minutes in [start, end). `unit` restricts to values recorded with that unit.
   */
  periods(metric: MetricId, unit: string | undefined, start: number, end: number, periodSeconds: number): PeriodAggregate[];
  /** Drops minutes older than the retention. */
  prune(now: number): void;
  snapshot(): MetricSnapshot;
  /** True when something changed since the last `snapshot()`. */
  dirty(): boolean;
}

export const minuteMs = 60_000;
export const defaultMetricRetentionMs = 15 * 24 * 3600_000;

export function sortedDimensions(dimensions: readonly Dimension[]): Dimension[] {
  return [...dimensions].sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
}

const metricKey = (m: MetricId) =>
  JSON.stringify([m.namespace, m.metricName, sortedDimensions(m.dimensions).map((d) => [d.Name, d.Value])]);

export function createMetricStore(options: { retentionMs?: number; snapshot?: MetricSnapshot } = {}): MetricStore {
  const retentionMs = options.retentionMs ?? defaultMetricRetentionMs;
  /** metric key → unit → series */
  const byMetric = new Map<string, Map<string, Series>>();
  let changed = false;

  function seriesFor(metric: MetricId, unit: string): Series {
    const key = metricKey(metric);
    let units = byMetric.get(key);
    if (!units) {
      units = new Map();
      byMetric.set(key, units);
    }
    let series = units.get(unit);
    if (!series) {
      series = {
        namespace: metric.namespace,
        metricName: metric.metricName,
        dimensions: sortedDimensions(metric.dimensions).map((d) => ({ Name: d.Name, Value: d.Value })),
        unit,
        buckets: new Map(),
      };
      units.set(unit, series);
    }
    return series;
  }

  for (const s of options.snapshot?.series ?? []) {
    const series = seriesFor(s, s.unit);
    for (const [minute, count, sum, min, max] of s.buckets) series.buckets.set(minute, { count, sum, min, max });
  }

  return {
    record(metric, unit, timestamp, aggregate) {
      if (aggregate.count <= 0) return;
      const minute = Math.floor(timestamp / minuteMs) * minuteMs;
      const series = seriesFor(metric, unit);
      const bucket = series.buckets.get(minute);
      if (bucket) {
        bucket.count += aggregate.count;
        bucket.sum += aggregate.sum;
        bucket.min = Math.min(bucket.min, aggregate.min);
        bucket.max = Math.max(bucket.max, aggregate.max);
      } else {
        series.buckets.set(minute, { ...aggregate });
      }
      changed = true;
    },

    metrics() {
      const result: MetricId[] = [];
      for (const units of byMetric.values()) {
        const first = units.values().next().value;
        if (first) result.push({ namespace: first.namespace, metricName: first.metricName, dimensions: first.dimensions });
      }
      return result.sort((a, b) => compare(metricKey(a), metricKey(b)));
    },

    periods(metric, unit, start, end, periodSeconds) {
      const units = byMetric.get(metricKey(metric));
      if (!units) return [];
      const periodMs = periodSeconds * 1000;
      const firstMinute = Math.floor(start / minuteMs) * minuteMs;
      const byPeriod = new Map<number, { aggregate: Aggregate; units: Set<string> }>();
      for (const series of units.values()) {
        if (unit !== undefined && series.unit !== unit) continue;
        for (const [minute, agg] of series.buckets) {
          if (minute < firstMinute || minute >= end) continue;
          const periodStart = Math.floor(minute / periodMs) * periodMs;
          const entry = byPeriod.get(periodStart);
          if (!entry) byPeriod.set(periodStart, { aggregate: { ...agg }, units: new Set([series.unit]) });
          else {
            entry.aggregate.count += agg.count;
            entry.aggregate.sum += agg.sum;
            entry.aggregate.min = Math.min(entry.aggregate.min, agg.min);
            entry.aggregate.max = Math.max(entry.aggregate.max, agg.max);
            entry.units.add(series.unit);
          }
        }
      }
      return [...byPeriod.entries()]
        .sort(([a], [b]) => a - b)
        .map(([timestamp, e]) => ({ timestamp, aggregate: e.aggregate, unit: e.units.size === 1 ? [...e.units][0] : undefined }));
    },

    prune(now) {
      const oldest = now - retentionMs;
      for (const [key, units] of byMetric) {
        for (const [unit, series] of units) {
          for (const minute of series.buckets.keys()) {
            if (minute < oldest) {
              series.buckets.delete(minute);
              changed = true;
            }
          }
          if (series.buckets.size === 0) units.delete(unit);
        }
        if (units.size === 0) byMetric.delete(key);
      }
    },

    snapshot() {
      changed = false;
      const series: MetricSnapshot['series'][number][] = [];
      for (const units of byMetric.values()) {
        for (const s of units.values()) {
          series.push({
            namespace: s.namespace,
            metricName: s.metricName,
            dimensions: s.dimensions,
            unit: s.unit,
            buckets: [...s.buckets].map(([minute, a]) => [minute, a.count, a.sum, a.min, a.max] as const),
          });
        }
      }
      return { version: 1, series };
    },

    dirty: () => changed,
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
