/**
 * Defers and coalesces the rollups of live ingest (issue 9). Folding at every flush cost, per device
 * and flush, a minute Put, an hour Query and Put and a day Query and Put: five calls, one after the
 * other, most of a flush's time. Here the minute views of the flushes are gathered, the one folding
 * most readings kept for each device-minute, and written together at most once per `intervalMs`:
 * the minutes, then every hour, then every day they touch (`RollupWriter.rollUp`), or, with
 * `marking` (the Data Service), as the hour folder chooses: an hour folded within its interval gets
 * a durable mark instead, and the folder folds it later (hour-folder.ts).
 *
 * Exactly once is kept (rollups/README.md): a view is handed over only after its window item was
 * written, it holds the window's whole content after that write, and the caller keeps the
 * readings' queue messages undeleted until the promise `fold` returned answers without an error for
 * their minute; a crash before then redelivers them, and their window write, a no-op then, gives the
 * whole content again. Of two views of one minute the larger holds the other (a window only grows).
 */
import { liveRollupTiming, telemetryLimits } from '@fleet/core';
import type { Logger } from 'pino';
import type { HourFolder } from './hour-folder.ts';
import { minuteKey, type MinuteView, type RollupWriter } from './rollup-writer.ts';

/** The longest live ingest defers a minute's rollups (the scheduler's default interval). */
export const foldIntervalMs = liveRollupTiming.roundMs;

/**
 * How far the rollups of live ingest may lag its raw readings: the interval, a fold already running
 * (seconds under load) and the flush before it.
 */
export const rollupLagMs = 3 * foldIntervalMs;

/**
 * The times whose readings live ingest may not have rolled up yet at `now`: the last `rollupLagMs`,
 * and the future a device may stamp a reading with. Charts read them from raw readings (range-plan.ts
 * `planChart`). A late reading stamped earlier shows in the rollups within the interval.
 */
export function unfoldedSpan(now: number): { readonly from: number; readonly to: number } {
  return { from: now - rollupLagMs, to: now + telemetryLimits.maxFutureSkewMs };
}

export interface FoldSchedulerOptions {
  readonly writer: Pick<RollupWriter, 'rollUp'>;
  /**
   * Writes each round instead of `writer.rollUp` (hour-folder.ts): the minutes, and their hours and
   * days at once or, for an hour folded within the folder's interval, a mark the folder folds later.
   */
  readonly marking?: Pick<HourFolder, 'round'>;
  readonly logger: Logger;
  /**
   * The longest a minute view waits for its rollups. Longer coalesces more flushes into one write,
   * keeps messages undeleted longer and lets the rollups (charts of a few hours and more) lag the
   * raw readings by as much. @default foldIntervalMs
   */
  readonly intervalMs?: number;
}

export interface FoldScheduler {
  /**
   * Writes the minutes (views of written windows) and folds their hours and days, within
   * `intervalMs`. Answers the `minuteKey`s whose rollups failed, with the error (empty when all were written).
   */
  fold(minutes: readonly MinuteView[]): Promise<ReadonlyMap<string, unknown>>;
  /** Folds what is waiting now, without waiting for the interval (a shutdown); resolves once it is folded. */
  flush(): Promise<void>;
}

interface Waiter {
  readonly resolve: (failed: ReadonlyMap<string, unknown>) => void;
}

/** Creates a scheduler; it holds no timer while nothing waits. */
export function createFoldScheduler(options: FoldSchedulerOptions): FoldScheduler {
  const { writer, logger, marking } = options;
  const intervalMs = options.intervalMs ?? foldIntervalMs;
  let minutes = new Map<string, MinuteView>();
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
      failed = await (marking ? marking.round(batch) : writer.rollUp(batch));
    } catch (err) {
      // rollUp reports failures per minute; a throw is unexpected and fails every minute of the batch.
      logger.error({ err, minutes: batch.length }, 'deferred fold failed');
      failed = new Map(batch.map((m) => [minuteKey(m.deviceId, m.start), err]));
    }
    if (failed.size > 0)
      logger.error({ failed: failed.size, minutes: batch.length }, 'deferred rollups failed; their readings will be redelivered');
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
    fold(views) {
      if (views.length === 0) return Promise.resolve(new Map());
      for (const m of views) {
        const key = minuteKey(m.deviceId, m.start);
        // The view folding the most readings holds the others: a window item only grows.
        if (m.n >= (minutes.get(key)?.n ?? -1)) minutes.set(key, m);
      }
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
