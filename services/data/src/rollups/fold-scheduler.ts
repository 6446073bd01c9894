/**
 * Defers and coalesces the hour and day folds of live ingest (issue 9). With many slow devices a
 * flush holds about one reading per device, and folding its hour and day at every flush costs two
 * strongly consistent Queries and two Puts per reading. Here the minutes written are gathered and
 * folded together at most once per `intervalMs`: every hour (and day) touched since the last fold is
 * folded once, covering all the minutes written before the fold started.
 *
 * Exactly once is kept (rollups/README.md): a minute is handed over only after its 1-minute item was
 * written, and a fold's Queries start after it was handed over, so the fold that answers a minute's
 * promise has seen it. The caller keeps the minute's queue messages undeleted until that promise
 * answers without an error for it; a crash before then redelivers them and the cascade runs again.
 */
import type { Logger } from 'pino';
import { minuteKey, type MinuteRef, type RollupWriter } from './rollup-writer.ts';

export interface FoldSchedulerOptions {
  readonly writer: Pick<RollupWriter, 'foldAbove'>;
  readonly logger: Logger;
  /**
   * The longest a written minute waits for its hour and day fold. Longer coalesces more writes into
   * one fold, keeps messages undeleted longer and lets a chart's finished hour lag its minutes by as
   * much. @default 5000
   */
  readonly intervalMs?: number;
}

export interface FoldScheduler {
  /**
   * Folds the hours and days of minutes whose 1-minute items are written, within `intervalMs`.
   * Answers the `minuteKey`s whose fold failed, with the error (empty when all were folded).
   */
  fold(minutes: readonly MinuteRef[]): Promise<ReadonlyMap<string, unknown>>;
  /** Folds what is waiting now, without waiting for the interval (a shutdown); resolves once it is folded. */
  flush(): Promise<void>;
}

interface Waiter {
  readonly resolve: (failed: ReadonlyMap<string, unknown>) => void;
}

/** Creates a scheduler; it holds no timer while nothing waits. */
export function createFoldScheduler(options: FoldSchedulerOptions): FoldScheduler {
  const { writer, logger } = options;
  const intervalMs = options.intervalMs ?? 5000;
  let minutes = new Map<string, MinuteRef>();
  let waiters: Waiter[] = [];
  let timer: NodeJS.Timeout | undefined;
  /** The fold in progress: only one at a time, so a device's hour is folded at most once per interval. */
  let running: Promise<void> | undefined;
  let lastStart = 0;

  async function foldNow(): Promise<void> {
    const batch = [...minutes.values()];
    const answered = waiters;
    minutes = new Map();
    waiters = [];
    lastStart = Date.now();
    let failed: ReadonlyMap<string, unknown>;
    try {
      failed = await writer.foldAbove(batch);
    } catch (err) {
      // foldAbove reports failures per minute; a throw is unexpected and fails every minute of the batch.
      logger.error({ err, minutes: batch.length }, 'deferred fold failed');
      failed = new Map(batch.map((m) => [minuteKey(m.deviceId, m.start), err]));
    }
    if (failed.size > 0)
      logger.error({ failed: failed.size, minutes: batch.length }, 'deferred hour/day folds failed; their readings will be redelivered');
    for (const w of answered) w.resolve(failed);
  }

  function run(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = undefined;
    running = foldNow().finally(() => {
      running = undefined;
      arm();
    });
    return running;
  }

  /** Starts the timer for what waits: the interval counts from the previous fold's start. */
  function arm(): void {
    if (timer || running || waiters.length === 0) return;
    timer = setTimeout(run, Math.max(0, lastStart + intervalMs - Date.now()));
  }

  return {
    fold(refs) {
      if (refs.length === 0) return Promise.resolve(new Map());
      for (const m of refs) minutes.set(minuteKey(m.deviceId, m.start), m);
      const answer = new Promise<ReadonlyMap<string, unknown>>((resolve) => waiters.push({ resolve }));
      arm();
      return answer;
    },
    async flush() {
      while (running || waiters.length > 0) {
        if (running) await running;
        else await run();
      }
    },
  };
}
