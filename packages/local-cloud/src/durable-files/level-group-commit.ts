/**
 * Group commit over LevelDB (classic-level) for stores whose answers wait for durability (the SQS
 * stand-in, the Device Shadow and IoT Jobs stores): an fsync per request would cap them at a few hundred
 * requests/s, so every write arriving while one batch is being written joins the next batch,
 * fsync'ed once for all of them (if any of them asked for durability).
 */
import type { ClassicLevel } from 'classic-level';

export type LevelOp = { type: 'put'; key: string; value: string } | { type: 'del'; key: string };

export interface GroupCommitWriter {
  /** Resolves once `ops` are written, and fsync'ed when `durable` (or when a write of the same batch asked for it). */
  write(ops: LevelOp[], durable: boolean): Promise<void>;
  /** Resolves once every write so far is done. */
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
    write(ops: LevelOp[], durable: boolean): Promise<void> {
      const done = new Promise<void>((resolve, reject) => waiters.push({ resolve, reject }));
      pending.push(...ops);
      pendingDurable ||= durable;
      running ??= run();
      return done;
    },
    async drain(): Promise<void> {
      while (running) await running;
    },
  };
}
