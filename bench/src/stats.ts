/**
 * Pure figures of a benchmark run: percentiles and rates. Kept apart from the I/O so they are
 * unit-tested on their own.
 */

/**
 * The p-th percentile (0 < p ≤ 100) of `samples` by the nearest-rank method: the smallest sample
 * such that at least p % of the samples are ≤ it. Nearest rank never interpolates, so p99 of a
 * small run is an observed latency, not an invented one. Undefined for no samples.
 */
export function percentile(samples: readonly number[], p: number): number | undefined {
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], received ${p}`);
  if (samples.length === 0) return undefined;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** Events per second over a span in milliseconds; 0 for an empty or non-positive span. */
export function ratePerSecond(count: number, elapsedMs: number): number {
  if (!(elapsedMs > 0) || count <= 0) return 0;
  return (count * 1000) / elapsedMs;
}

/** a / b, or undefined when either side is missing or b is 0 (a ratio against nothing means nothing). */
export function ratio(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined || b === undefined || b === 0) return undefined;
  return a / b;
}

export interface LatencySummary {
  readonly samples: number;
  readonly p50Ms: number | undefined;
  readonly p99Ms: number | undefined;
  readonly maxMs: number | undefined;
}

/** p50, p99 and max of latency samples in milliseconds. */
export function summarizeLatencies(samples: readonly number[]): LatencySummary {
  return {
    samples: samples.length,
    p50Ms: percentile(samples, 50),
    p99Ms: percentile(samples, 99),
    maxMs: samples.length === 0 ? undefined : samples.reduce((m, s) => Math.max(m, s), -Infinity),
  };
}
