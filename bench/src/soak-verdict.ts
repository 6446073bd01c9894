/**
 * Whether a soak stayed flat, from its 10-second samples. Pure, so the criterion is tested and
 * written down in one place (bench/README.md quotes it):
 *
 * - memory flat: the median RSS sum of the samples' second half is at most 10 % above the first
 *   half's (halves, not first vs last sample: one sample can catch a GC or a LevelDB compaction);
 * - latency flat: the median of the per-interval publish→stored p99 of the second half is at most
 *   1.5 × the first half's, or at most 100 ms above it (small latencies move by more than 50 % on
 *   a shared machine without meaning anything);
 * - kept up: at the last sample, readings acknowledged but not yet stored are at most 5 s of the
 *   load (a platform that cannot keep up grows its queue for the whole soak);
 * - stored once: after the soak, every acknowledged reading is stored, none twice.
 *
 * A soak with fewer than 2 samples is too short to judge memory, latency or backlog (undefined).
 */
import { percentile } from './stats.ts';

export interface SoakSample {
  /** Seconds since the soak began publishing. */
  readonly atSeconds: number;
  /** Sum of the platform's processes' RSS. */
  readonly rssBytes: number;
  /** Readings acknowledged (PUBACK) since the soak began. */
  readonly acknowledged: number;
  /** Readings stored since the soak began, as far as each device's latest stored seq tells. */
  readonly stored: number;
  /** Probe publish→stored latencies of this interval. */
  readonly latencyP50Ms: number | undefined;
  readonly latencyP99Ms: number | undefined;
  readonly latencySamples: number;
}

export interface SoakCount {
  readonly acknowledged: number;
  /** Acknowledged readings found stored exactly once. */
  readonly storedOnce: number;
  /** Acknowledged readings not stored. */
  readonly missing: number;
  /** Readings stored more than once (the same device and seq at two places). */
  readonly duplicates: number;
}

export interface SoakVerdict {
  readonly memoryFlat: boolean | undefined;
  /** Median RSS sum of the second half ÷ the first half's, minus 1. */
  readonly memoryGrowth: number | undefined;
  readonly latencyFlat: boolean | undefined;
  readonly firstHalfP99Ms: number | undefined;
  readonly secondHalfP99Ms: number | undefined;
  readonly keptUp: boolean | undefined;
  /** Acknowledged − stored at the last sample. */
  readonly finalBacklog: number | undefined;
  readonly storedOnce: boolean;
}

export const soakCriteria = { maxMemoryGrowth: 0.1, maxLatencyFactor: 1.5, latencySlackMs: 100, maxBacklogSeconds: 5 } as const;

const median = (values: readonly number[]) => percentile(values, 50);

export function judgeSoak(samples: readonly SoakSample[], count: SoakCount, ratePerSecond: number): SoakVerdict {
  const storedOnce = count.missing === 0 && count.duplicates === 0 && count.storedOnce === count.acknowledged;
  const last = samples.at(-1);
  if (samples.length < 2 || !last) {
    return {
      memoryFlat: undefined,
      memoryGrowth: undefined,
      latencyFlat: undefined,
      firstHalfP99Ms: undefined,
      secondHalfP99Ms: undefined,
      keptUp: undefined,
      finalBacklog: last ? last.acknowledged - last.stored : undefined,
      storedOnce,
    };
  }
  const half = Math.floor(samples.length / 2);
  const first = samples.slice(0, half);
  const second = samples.slice(samples.length - half);
  const rss1 = median(first.map((s) => s.rssBytes));
  const rss2 = median(second.map((s) => s.rssBytes));
  const memoryGrowth = rss1 && rss2 !== undefined ? rss2 / rss1 - 1 : undefined;
  const p99s = (of: readonly SoakSample[]) => median(of.flatMap((s) => (s.latencyP99Ms === undefined ? [] : [s.latencyP99Ms])));
  const firstHalfP99Ms = p99s(first);
  const secondHalfP99Ms = p99s(second);
  const latencyFlat =
    firstHalfP99Ms === undefined || secondHalfP99Ms === undefined
      ? undefined
      : secondHalfP99Ms <= Math.max(firstHalfP99Ms * soakCriteria.maxLatencyFactor, firstHalfP99Ms + soakCriteria.latencySlackMs);
  const finalBacklog = last.acknowledged - last.stored;
  return {
    memoryFlat: memoryGrowth === undefined ? undefined : memoryGrowth <= soakCriteria.maxMemoryGrowth,
    memoryGrowth,
    latencyFlat,
    firstHalfP99Ms,
    secondHalfP99Ms,
    keptUp: finalBacklog <= ratePerSecond * soakCriteria.maxBacklogSeconds,
    finalBacklog,
    storedOnce,
  };
}

/**
 * Counts acknowledged readings against stored ones, per device: `acknowledged` and `stored` hold
 * seqs (stored as many times as found).
 */
export function countStoredOnce(
  devices: readonly { readonly acknowledged: Iterable<number>; readonly stored: readonly number[] }[],
): SoakCount {
  let acknowledged = 0;
  let storedOnce = 0;
  let missing = 0;
  let duplicates = 0;
  for (const d of devices) {
    const times = new Map<number, number>();
    for (const seq of d.stored) times.set(seq, (times.get(seq) ?? 0) + 1);
    for (const n of times.values()) if (n > 1) duplicates += n - 1;
    for (const seq of d.acknowledged) {
      acknowledged++;
      const n = times.get(seq) ?? 0;
      if (n === 0) missing++;
      else if (n === 1) storedOnce++;
    }
  }
  return { acknowledged, storedOnce, missing, duplicates };
}
