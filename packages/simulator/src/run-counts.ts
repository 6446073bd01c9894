/**
 * The counts a run prints, live and at the end, and whether they agree. Every reading a run had
 * (produced by it, or left in the outbox by an earlier run) is acknowledged, still buffered or
 * dropped, once: published + carried over = acknowledged + buffered + dropped. And every
 * acknowledged reading is stored: stored = acknowledged.
 */
import type { BufferGauge, PublishCounters } from './device-publisher.ts';

export interface RunCounts {
  readonly published: number;
  readonly carriedOver: number;
  readonly acknowledged: number;
  readonly buffered: number;
  /** The most readings buffered at once during the run, the whole fleet's. */
  readonly maxBuffered: number;
  readonly dropped: number;
  /** Of `dropped`, the readings IoT Core refused for good (HTTPS 403). */
  readonly refused: number;
  readonly failed: number;
}

export function runCounts(
  publishers: readonly { readonly counters: Readonly<PublishCounters>; readonly buffered: number }[],
  gauge: Readonly<BufferGauge>,
): RunCounts {
  const sum = (pick: (p: (typeof publishers)[number]) => number) => publishers.reduce((n, p) => n + pick(p), 0);
  return {
    published: sum((p) => p.counters.published),
    carriedOver: sum((p) => p.counters.carriedOver),
    acknowledged: sum((p) => p.counters.acked),
    buffered: sum((p) => p.buffered),
    maxBuffered: gauge.max,
    dropped: sum((p) => p.counters.dropped),
    refused: sum((p) => p.counters.refused),
    failed: sum((p) => p.counters.failed),
  };
}

export function progressLine(c: RunCounts, ackedPerSecond: number): string {
  return `  published ${c.published}  buffered ${c.buffered} / ${c.maxBuffered}  acknowledged ${c.acknowledged}  dropped ${c.dropped}  ${ackedPerSecond} msg/s   `;
}

/** The summary's count lines; `stored` is undefined when it could not be read. */
export function summary(c: RunCounts, stored: number | undefined): { lines: string[]; agree: boolean } {
  const had = c.published + c.carriedOver;
  const accounted = c.acknowledged + c.buffered + c.dropped;
  const lines = [
    `published ${c.published}, carried over ${c.carriedOver}, acknowledged ${c.acknowledged}, buffered ${c.buffered} (max ${c.maxBuffered}), dropped ${c.dropped}, stored ${stored ?? 'unknown'}`,
  ];
  const accountedFor = had === accounted;
  lines.push(
    accountedFor
      ? `every reading accounted for: published + carried over = acknowledged + buffered + dropped = ${had}`
      : `COUNTS DISAGREE: published + carried over = ${had}, acknowledged + buffered + dropped = ${accounted}`,
  );
  const allStored = stored === c.acknowledged;
  if (stored !== undefined) {
    lines.push(
      allStored
        ? `every acknowledged reading is stored: stored = acknowledged = ${stored}`
        : `STORED DISAGREES: ${stored} of ${c.acknowledged} acknowledged readings are stored`,
    );
  }
  if (c.refused > 0) {
    lines.push(
      `${c.refused} of the dropped readings were refused by IoT Core (HTTPS 403: the device policy allows HTTPS publish only with a certificate whose common name is the device id)`,
    );
  }
  if (c.buffered > 0) lines.push(`${c.buffered} readings are still buffered; the next run sends them first`);
  return { lines, agree: accountedFor && (stored === undefined || allStored) };
}
