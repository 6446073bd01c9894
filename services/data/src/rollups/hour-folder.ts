/**
 * Folds the hours and days that live ingest marked (rollup-writer.ts `markMinutes`, issue 9). A
 * 5-second round of live ingest used to cost five calls per device-minute (the minute's Put, the
 * hour's Query and Put, the day's Query and Put), about 40 % of all DynamoDB calls of a 1,000-device
 * run. Now a round rolls up at once only the hours this task has not folded within `intervalMs` (a
 * device publishing less often costs what it did); for the others it Puts the minutes and marks
 * their hours (BatchWriteItem, 25 marks a call), and this folder folds each marked hour and its day
 * once per `intervalMs`, whatever the number of rounds that marked it.
 *
 * Nothing is lost (rollups/README.md, "Fold marks"): a round's messages are deleted only once its
 * minutes are written and their hours folded or their marks durable; a mark is deleted only by a
 * fold that read the minutes after the mark's token was written and finds the token unchanged. A
 * minute written during a fold is marked again with a new token after its Put, so that fold's
 * delete is refused and the mark stays for the next. The folder folds the marks its task wrote; the
 * marks of a task that stopped (a crash, a scale-in) are taken by any task's sweep once they are
 * `orphanAgeMs` old, and all of them by the first sweep after a start.
 */
import type { Logger } from 'pino';
import { liveRollupTiming, rollupLevel, telemetryLimits } from '@fleet/core';
import { rollupLagMs } from './fold-scheduler.ts';
import { bucketStart } from './rollup-keys.ts';
import { minuteKey, type FoldMark, type MinuteView, type RollupWriter } from './rollup-writer.ts';

/** How often a task folds the hours and days its ingest marked. */
export const hourFoldIntervalMs = liveRollupTiming.hourFoldMs;

/**
 * How far the hour and day items of live ingest may lag its minute items: a round (the minutes'
 * lag), then up to two intervals until a fold has read them. Charts read that span from the minutes
 * (range-plan.ts `planChart`).
 */
export const hourFoldLagMs = rollupLagMs + 2 * hourFoldIntervalMs;

/**
 * The times whose hour and day items live ingest may not have folded yet at `now` (as `unfoldedSpan`
 * for the minutes). A late reading stamped earlier shows in them within two intervals.
 */
export function unfoldedHoursSpan(now: number): { readonly from: number; readonly to: number } {
  return { from: now - hourFoldLagMs, to: now + telemetryLimits.maxFutureSkewMs };
}

export interface HourFolderOptions {
  readonly writer: Pick<RollupWriter, 'rollUp' | 'markMinutes' | 'foldMarked' | 'readMarks'>;
  readonly logger: Logger;
  /** @default hourFoldIntervalMs */
  readonly intervalMs?: number;
  /** A mark no task has renewed for this long is folded by any task's sweep. @default 5 × intervalMs */
  readonly orphanAgeMs?: number;
  /** How often the sweep looks for such marks. @default orphanAgeMs */
  readonly sweepIntervalMs?: number;
  /** Epoch ms, for the marks' age. @default Date.now */
  readonly now?: () => number;
}

export interface HourFolder {
  /**
   * Writes one round of live ingest (fold-scheduler.ts): the minutes of an hour this task has not
   * folded within the interval with their hour and day at once (`rollUp`: a device publishing less
   * often than that costs what it did), the others with a mark for the next fold. Answers the
   * `minuteKey`s that failed.
   */
  round(minutes: readonly MinuteView[]): Promise<ReadonlyMap<string, unknown>>;
  /** The marks this task wrote (the newest token of each device-hour is the one a fold clears). */
  remember(marks: readonly FoldMark[]): void;
  /** Starts the timers and the first sweep, which takes every mark in the table; resolves once that sweep is done. */
  start(): Promise<void>;
  /** Folds this task's marks now; resolves once done. */
  flush(): Promise<void>;
  /** Folds the marks of other tasks older than `orphanAgeMs` now (the sweep's timer does it every `sweepIntervalMs`). */
  sweep(): Promise<void>;
  /** Stops the timers and folds this task's marks a last time. */
  stop(): Promise<void>;
}

export function createHourFolder(options: HourFolderOptions): HourFolder {
  const { writer, logger } = options;
  const intervalMs = options.intervalMs ?? hourFoldIntervalMs;
  const orphanAgeMs = options.orphanAgeMs ?? 5 * intervalMs;
  const now = options.now ?? Date.now;
  const own = new Map<string, FoldMark>();
  /** When this task last folded an hour (at once or from its mark), by `minuteKey(deviceId, hourStart)`. */
  const foldedAt = new Map<string, number>();
  const timers: NodeJS.Timeout[] = [];
  /** One fold at a time: a timer firing during a long fold waits for it. */
  let running: Promise<void> = Promise.resolve();

  const keyOf = (m: FoldMark) => minuteKey(m.deviceId, m.hourStart);

  async function foldNow(marks: readonly FoldMark[]): Promise<void> {
    if (marks.length === 0) return;
    const started = Date.now();
    const { cleared, remarked, failed } = await writer.foldMarked(marks);
    // Forgotten only when the token folded is still this task's newest for that hour.
    for (const m of [...cleared, ...remarked]) if (own.get(keyOf(m))?.token === m.token) own.delete(keyOf(m));
    if (failed.size > 0) {
      const [err] = failed.values();
      logger.warn({ err, failed: failed.size, marks: marks.length }, 'folding marked hours failed; they stay marked and are folded again');
    }
    logger.debug(
      { marks: marks.length, cleared: cleared.length, remarked: remarked.length, ms: Date.now() - started },
      'marked hours folded',
    );
  }

  function serially(work: () => Promise<void>): Promise<void> {
    running = running.then(work).catch((err: unknown) => logger.error({ err }, 'hour folder failed; marks stay for the next round'));
    return running;
  }

  const foldOwn = () =>
    serially(() => {
      const since = now() - intervalMs;
      for (const [key, at] of foldedAt) if (at <= since) foldedAt.delete(key);
      const marks = [...own.values()];
      for (const m of marks) foldedAt.set(keyOf(m), now());
      return foldNow(marks);
    });

  function remember(marks: readonly FoldMark[]): void {
    // Rounds mark one after the other (fold-scheduler.ts), so the last given is the newest.
    for (const m of marks) own.set(keyOf(m), m);
  }

  async function round(minutes: readonly MinuteView[]): Promise<ReadonlyMap<string, unknown>> {
    const at = now();
    const atOnce: MinuteView[] = [];
    const marked: MinuteView[] = [];
    const foldingNow = new Set<string>();
    for (const m of minutes) {
      const hour = minuteKey(m.deviceId, bucketStart(rollupLevel('1h'), m.start));
      const due = !own.has(hour) && (foldedAt.get(hour) ?? -Infinity) <= at - intervalMs;
      if (due || foldingNow.has(hour)) {
        foldingNow.add(hour);
        atOnce.push(m);
      } else {
        marked.push(m);
      }
    }
    for (const hour of foldingNow) foldedAt.set(hour, at);
    const [failedAtOnce, { failed, marks }] = await Promise.all([
      atOnce.length > 0 ? writer.rollUp(atOnce) : new Map<string, unknown>(),
      marked.length > 0 ? writer.markMinutes(marked) : { failed: new Map<string, unknown>(), marks: [] },
    ]);
    remember(marks);
    return new Map([...failedAtOnce, ...failed]);
  }

  const sweep = (all: boolean) =>
    serially(async () => {
      const before = now() - orphanAgeMs;
      const marks = (await writer.readMarks()).filter((m) => !own.has(keyOf(m)) && (all || m.markedAt < before));
      if (marks.length > 0) logger.info({ marks: marks.length, all }, 'folding marks left by stopped tasks');
      await foldNow(marks);
    });

  return {
    round,
    remember,
    start() {
      const first = sweep(true);
      timers.push(setInterval(() => void foldOwn(), intervalMs));
      timers.push(setInterval(() => void sweep(false), options.sweepIntervalMs ?? orphanAgeMs));
      for (const t of timers) t.unref();
      return first;
    },
    flush: foldOwn,
    sweep: () => sweep(false),
    async stop() {
      for (const t of timers.splice(0)) clearInterval(t);
      await foldOwn();
    },
  };
}
