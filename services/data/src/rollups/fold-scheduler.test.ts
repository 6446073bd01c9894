import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createFoldScheduler } from './fold-scheduler.ts';
import { aggregateReadings } from './aggregate.ts';
import { minuteKey, type MinuteView } from './rollup-writer.ts';

const logger = pino({ level: 'silent' });
const hour = Date.UTC(2025, 2, 10, 8);
/** A view of a device-minute folding `n` readings. */
const minute = (deviceId: string, i: number, n = 1): MinuteView => {
  const start = hour + i * 60_000;
  const readings = Array.from({ length: n }, (_, seq) => ({ ts: start + seq, seq, values: { t: seq } }));
  const aggregate = aggregateReadings(readings);
  return { deviceId, start, n: aggregate.n, aggregate };
};

/** A writer that records each rollUp call and answers when the test lets it. */
function recordingWriter(fail: (m: MinuteView) => boolean = () => false) {
  const calls: MinuteView[][] = [];
  let running = 0;
  let maxRunning = 0;
  const writer = {
    async rollUp(minutes: readonly MinuteView[]) {
      calls.push([...minutes]);
      running++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((resolve) => setTimeout(resolve, 30));
      running--;
      return new Map(minutes.filter(fail).map((m) => [minuteKey(m.deviceId, m.start), new Error('throttled')]));
    },
  };
  return { writer, calls, maxRunning: () => maxRunning };
}

describe('fold scheduler', () => {
  it('folds the minutes handed over within one interval together, one fold at a time', async () => {
    const { writer, calls, maxRunning } = recordingWriter();
    const folds = createFoldScheduler({ writer, logger, intervalMs: 100 });
    // The first fold after a quiet time starts at once; what arrives while it runs waits for the next.
    const first = folds.fold([minute('a', 1)]);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(calls).toHaveLength(1);
    const later = [folds.fold([minute('a', 2)]), folds.fold([minute('b', 2), minute('a', 2)]), folds.fold([minute('a', 3)])];
    expect(await first).toEqual(new Map());
    for (const answer of await Promise.all(later)) expect(answer).toEqual(new Map());
    expect(calls).toEqual([[minute('a', 1)], [minute('a', 2), minute('b', 2), minute('a', 3)]]);
    expect(maxRunning()).toBe(1);
  });

  it('writes, of the views of one minute handed over together, the one folding the most readings', async () => {
    const { writer, calls } = recordingWriter();
    const folds = createFoldScheduler({ writer, logger, intervalMs: 100 });
    await folds.fold([minute('a', 1)]);
    // Two flushes' views of minute 2: the later write saw 5 readings, an earlier one 3; they may arrive in either order.
    await Promise.all([folds.fold([minute('a', 2, 5)]), folds.fold([minute('a', 2, 3)])]);
    expect(calls[1]).toEqual([minute('a', 2, 5)]);
  });

  it('waits the interval between two folds, counted from the start of the previous one', async () => {
    const { writer, calls } = recordingWriter();
    const folds = createFoldScheduler({ writer, logger, intervalMs: 200 });
    const started = Date.now();
    await folds.fold([minute('a', 1)]);
    await folds.fold([minute('a', 2)]);
    expect(calls).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it("answers each caller the failed minutes, so only those readings' messages are retried", async () => {
    const { writer } = recordingWriter((m) => m.deviceId === 'bad');
    const folds = createFoldScheduler({ writer, logger, intervalMs: 0 });
    const failed = await folds.fold([minute('good', 1), minute('bad', 1)]);
    expect([...failed.keys()]).toEqual([minuteKey('bad', hour + 60_000)]);
  });

  it('fails every minute of a fold that throws, and keeps folding afterwards', async () => {
    let calls = 0;
    const folds = createFoldScheduler({
      writer: {
        rollUp: async () => {
          if (++calls === 1) throw new Error('unexpected');
          return new Map();
        },
      },
      logger,
      intervalMs: 0,
    });
    expect([...(await folds.fold([minute('a', 1)])).keys()]).toEqual([minuteKey('a', hour + 60_000)]);
    expect(await folds.fold([minute('a', 1)])).toEqual(new Map());
  });

  it('flush folds what waits without waiting out the interval', async () => {
    const { writer, calls } = recordingWriter();
    const folds = createFoldScheduler({ writer, logger, intervalMs: 60_000 });
    await folds.fold([minute('a', 1)]);
    let answered = false;
    const waiting = folds.fold([minute('a', 2)]).then(() => (answered = true));
    const started = Date.now();
    await folds.flush();
    expect(answered).toBe(true);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(calls).toHaveLength(2);
    await waiting;
  });

  it('with marking, hands each round to the hour folder instead of rolling it up', async () => {
    const { writer, calls } = recordingWriter();
    const rounds: MinuteView[][] = [];
    const round = (minutes: readonly MinuteView[]) => {
      rounds.push([...minutes]);
      return Promise.resolve(
        new Map(minutes.filter((m) => m.deviceId === 'bad').map((m) => [minuteKey(m.deviceId, m.start), new Error('throttled')])),
      );
    };
    const folds = createFoldScheduler({ writer, logger, intervalMs: 0, marking: { round } });
    const answer = await folds.fold([minute('a', 1), minute('bad', 1)]);
    expect([...answer.keys()]).toEqual([minuteKey('bad', hour + 60_000)]);
    expect(calls).toEqual([]);
    expect(rounds).toEqual([[minute('a', 1), minute('bad', 1)]]);
  });
});
