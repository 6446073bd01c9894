/**
 * Group commit over LevelDB (classic-level), shared by the stand-ins that must answer only once a
 * change survives `kill -9` and a power cut (the SQS and IoT Jobs stores): the first write goes out
 * at once; writes arriving meanwhile are merged into the next batch, fsync'ed once for all of them
 * (if any of them asked for durability). Batches are written in the order their writes arrived.
 */
import type { ClassicLevel } from 'classic-level';

export type LevelOp = { type: 'put'; key: string; value: string } | { type: 'del'; key: string };

export interface GroupCommitWriter {
  /** Resolves once `ops` are written (and fsync'ed when `durable`); rejects when their batch failed. */
  write(ops: LevelOp[], durable: boolean): Promise<void>;
  /** Resolves once every write accepted so far is done. */
  drain(): Promise<void>;
}

export function createGroupCommitWriter(db: ClassicLevel<string, string>): GroupCommitWriter {
  let pending: LevelOp[] = [];
  let pendingDurable = false;
  let waiters: { resolve: () => void; reject: (err: unknown) => void }[] = [];
  let running: Promise<void> | undefined;

  async function run(): Promise<void> {
    while (pending.length > 0) {
      const ops = pending;
      const sync = pendingDurable;
      const batchWaiters = waiters;
      pending = [];
      pendingDurable = false;
      waiters = [];
      try {
        await db.batch(ops, { sync });
        for (const waiter of batchWaiters) waiter.resolve();
      } catch (err) {
        for (const waiter of batchWaiters) waiter.reject(err);
      }
    }
    running = undefined;
  }

  return {
    write(ops, durable) {
      const done = new Promise<void>((resolve, reject) => waiters.push({ resolve, reject }));
      pending.push(...ops);
      pendingDurable ||= durable;
      running ??= run();
      return done;
    },
    async drain() {
      while (running) await running;
    },
  };
}
