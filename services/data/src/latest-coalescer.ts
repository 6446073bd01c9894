/**
 * Writes a device's latest values at most about once per interval (issue 9): one conditional
 * UpdateItem per device and flush was a write unit per flush, 0.16 units per reading of the bench's
 * soak (24 readings/s a device, flushes every 250 ms), and one of the two DynamoDB calls a reading
 * costs a fleet of devices publishing a few times a second.
 *
 * A device whose latest item was not written in the last interval is written at once, with the
 * flush (a device publishing every few seconds sees no change). Within the interval its newest
 * reading waits, and the waiting devices are written together one interval after the first began to
 * wait: a fast device's latest values trail its readings by at most about one interval.
 *
 * Nothing is lost by waiting: the messages of the waiting readings are held, as those of the
 * deferred rollups are (rollups/fold-scheduler.ts), until the write covering them answers
 * (`deferred`). A crash before it redelivers them, and the write is made then. `flush()` writes what
 * waits now (the consumer's stop).
 */
import { latestValuesTiming, type Reading } from '@fleet/core';
import type { Logger } from 'pino';
import { newestByDevice, type LatestStore, type LatestWriteResult } from './latest-store.ts';

type LatestReading = Reading & { readonly receivedAt: number };
type DeviceFailure = { readonly deviceId: string; readonly error: unknown };

export interface LatestCoalescerOptions {
  /** At most about one write per device per this. @default latestValuesTiming.intervalMs (1 s) */
  readonly intervalMs?: number;
  readonly logger: Logger;
  readonly now?: () => number;
}

export interface CoalescedLatestStore extends LatestStore {
  /** Writes the waiting readings now; resolves once written (or failed: their messages are then left for redelivery). */
  flush(): Promise<void>;
}

/** Wraps a latest store so that each device's item is written at most about once per interval. */
export function coalesceLatest(store: LatestStore, options: LatestCoalescerOptions): CoalescedLatestStore {
  const intervalMs = options.intervalMs ?? latestValuesTiming.intervalMs;
  const now = options.now ?? Date.now;
  /** When each device's latest item was last written (or is being written): only those within the interval are kept. */
  const writtenAt = new Map<string, number>();
  /** When `writtenAt` was last cleared of devices written longer ago than the interval. */
  let forgottenAt = 0;
  /** Each waiting device's newest reading. */
  let waiting = new Map<string, LatestReading>();
  /** The flushes waiting for each waiting device's write, told its failure or undefined. */
  let settlers = new Map<string, ((failure: DeviceFailure | undefined) => void)[]>();
  let timer: NodeJS.Timeout | undefined;
  let round: Promise<void> = Promise.resolve();

  async function writeWaiting(): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    const due = waiting;
    const told = settlers;
    waiting = new Map();
    settlers = new Map();
    if (due.size === 0) return;
    const at = now();
    forgetOld(at);
    for (const deviceId of due.keys()) writtenAt.set(deviceId, at);
    let result: LatestWriteResult;
    try {
      result = await store.write([...due.values()]);
    } catch (error) {
      result = { updated: 0, older: 0, failed: [...due.keys()].map((deviceId) => ({ deviceId, error })) };
    }
    const failed = new Map(result.failed.map((f) => [f.deviceId, f]));
    for (const f of result.failed) options.logger.error({ err: f.error, deviceId: f.deviceId }, 'latest values write failed');
    for (const [deviceId, settle] of told) for (const s of settle) s(failed.get(deviceId));
  }

  /**
   * Forgets the devices written longer ago than the interval (they are written at once next time),
   * at most once per interval: a fleet whose devices all publish slowly never has a round to do it.
   */
  function forgetOld(at: number): void {
    if (at - forgottenAt < intervalMs) return;
    forgottenAt = at;
    for (const [deviceId, when] of writtenAt) if (at - when >= intervalMs) writtenAt.delete(deviceId);
  }

  /** Writes what waits after the round before it (one round at a time). */
  const nextRound = () => (round = round.then(writeWaiting));

  function arm(): void {
    // The unref'd timer does not keep the process alive; the consumer's stop flushes what waits.
    timer ??= setTimeout(nextRound, intervalMs).unref();
  }

  async function write(readings: readonly LatestReading[]): Promise<LatestWriteResult> {
    const at = now();
    forgetOld(at);
    const atOnce: LatestReading[] = [];
    const deferred: Promise<DeviceFailure | undefined>[] = [];
    for (const [deviceId, reading] of newestByDevice(readings)) {
      const last = writtenAt.get(deviceId);
      if (!waiting.has(deviceId) && (last === undefined || at - last >= intervalMs)) {
        writtenAt.set(deviceId, at);
        atOnce.push(reading);
        continue;
      }
      newestByDevice([reading], waiting);
      const settle = settlers.get(deviceId) ?? [];
      settlers.set(deviceId, settle);
      deferred.push(new Promise((resolve) => settle.push(resolve)));
    }
    if (deferred.length > 0) arm();
    const written = atOnce.length > 0 ? await store.write(atOnce) : { updated: 0, older: 0, failed: [] };
    if (deferred.length === 0) return written;
    return {
      ...written,
      deferred: Promise.all(deferred).then((outcomes) => outcomes.filter((o): o is DeviceFailure => o !== undefined)),
    };
  }

  return {
    write,
    get: (deviceId) => store.get(deviceId),
    flush: nextRound,
  };
}
