/**
 * Waiting for a load's readings to be stored, read back from the Data Service: when "all stored"
 * happened is the end of the end-to-end throughput span.
 */
import { mapWithLimit } from '@fleet/core';
import type { DataServiceReader } from './data-service-reader.ts';

/** Polls each device's latest item until its seq reaches `seq` (for readings published at or after `since`). */
export async function waitForLatestSeq(
  reader: DataServiceReader,
  deviceIds: readonly string[],
  seq: number,
  since: number,
  timeoutMs: number,
): Promise<{ complete: boolean; at: number; pending: string[] }> {
  const deadline = Date.now() + timeoutMs;
  let pending = [...deviceIds];
  for (;;) {
    const latest = await reader.latestMany(pending);
    const at = Date.now();
    pending = pending.filter((_, i) => {
      const l = latest[i];
      return !(l && l.ts >= since && l.seq >= seq);
    });
    if (pending.length === 0) return { complete: true, at, pending };
    if (at >= deadline) return { complete: false, at, pending };
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Polling cadence of the latest items while waiting for storage: each round (one GET of 100 devices'
 * states per page, as a dashboard reads them) competes with ingest for the same 2 cores, so not
 * faster; it bounds the error of the "all stored" moment (and so of the throughput) to about one
 * interval. One GET per device, 32 at a time, was a third of the DynamoDB reads of a 1,000-device
 * run: about 1,000 GetItems every round.
 */
const latestPollMs = 200;
/** The quiet period that ends the wait once upstream drops were reported (no need for the full stall). */
const lostStallMs = 5000;

export interface StorageOutcome {
  readonly complete: boolean;
  /** Distinct readings of the run stored. */
  readonly stored: number;
  /** Readings read back more than once (the same device and seq), at the last count. */
  readonly duplicates: number;
  readonly allStoredAt: number;
  readonly reason?: string;
}

/**
 * Waits until every reading of the measured run is stored, the deadline passes, or storage makes no
 * progress for `stallMs`. Storage cannot complete before the last publish, so it first polls the
 * cheap latest item per device until each shows its final reading, then verifies with a full count
 * (an earlier reading may in principle land after the last one, e.g. a redelivered batch).
 */
export async function waitForStorage(o: {
  reader: DataServiceReader;
  deviceIds: readonly string[];
  since: number;
  warmup: number;
  finalSeq: number;
  expected: number;
  deadline: number;
  stallMs: number;
  /** Readings known never to be stored (dropped upstream): the wait need not stall for them. */
  knownLost: () => number;
  onLoadStored: () => void;
}): Promise<StorageOutcome> {
  let lastProgressAt = Date.now();
  let allStoredAt: number | undefined;
  const seen = new Map<string, number>();
  let pending = [...o.deviceIds];
  while (pending.length > 0) {
    const latest = await o.reader.latestMany(pending);
    const now = Date.now();
    pending = pending.filter((id, i) => {
      const l = latest[i];
      const seq = l && l.ts >= o.since ? l.seq : 0;
      if (seq !== (seen.get(id) ?? 0)) lastProgressAt = now;
      seen.set(id, seq);
      return seq < o.finalSeq;
    });
    if (pending.length === 0) allStoredAt = now;
    else if (now >= o.deadline || now - lastProgressAt >= (o.knownLost() > 0 ? lostStallMs : o.stallMs)) break;
    else await new Promise((r) => setTimeout(r, latestPollMs));
  }
  o.onLoadStored();

  let { stored, duplicates } = await countStored(o.reader, o.deviceIds, o.since, o.warmup);
  if (stored >= o.expected) return { complete: true, stored, duplicates, allStoredAt: allStoredAt ?? Date.now() };
  for (;;) {
    const now = Date.now();
    if (now >= o.deadline)
      return {
        complete: false,
        stored,
        duplicates,
        allStoredAt: lastProgressAt,
        reason: `deadline reached with ${stored} of ${o.expected} stored`,
      };
    // Readings known lost explain the shortfall: a short quiet period is enough to stop.
    const explained = stored + o.knownLost() >= o.expected;
    const stall = explained ? lostStallMs : o.stallMs;
    if (now - lastProgressAt >= stall) {
      return {
        complete: false,
        stored,
        duplicates,
        allStoredAt: lastProgressAt,
        reason: `no reading stored for ${stall} ms with ${stored} of ${o.expected} stored${explained ? ' (the rest known lost)' : ''}`,
      };
    }
    await new Promise((r) => setTimeout(r, 500));
    const count = await countStored(o.reader, o.deviceIds, o.since, o.warmup);
    if (count.stored > stored) lastProgressAt = Date.now();
    ({ stored, duplicates } = count);
    if (stored >= o.expected) return { complete: true, stored, duplicates, allStoredAt: lastProgressAt };
  }
}

/**
 * The measured run's readings (seq above the warm-up) across the load devices, read back raw:
 * distinct ones, and those read more than once (a reading stored twice).
 */
export async function countStored(
  reader: DataServiceReader,
  deviceIds: readonly string[],
  since: number,
  warmup: number,
): Promise<{ stored: number; duplicates: number }> {
  const counts = await mapWithLimit(deviceIds, 4, async (id) => {
    const seqs = (await reader.raw(id, since, Date.now() + 1000)).filter((r) => r.seq > warmup).map((r) => r.seq);
    const distinct = new Set(seqs).size;
    return { stored: distinct, duplicates: seqs.length - distinct };
  });
  return counts.reduce((a, b) => ({ stored: a.stored + b.stored, duplicates: a.duplicates + b.duplicates }), { stored: 0, duplicates: 0 });
}
