/**
 * Runs data jobs: every `pollMs` it reads the open jobs, claims one it may run (a conditional write
 * with a lease), runs its kind's handler and records the outcome. While a job runs, a heartbeat
 * every `heartbeatMs` records its progress and extends its lease (and the bulk-write lock's); a
 * lost lease aborts it. A job whose task was killed keeps `running` until its lease lapses, then any
 * runner claims it again and runs it from the start: every handler is idempotent.
 *
 * Imports and replays also take the fleet-wide bulk-write lock (bulk-write-lock.ts) before their
 * claim, so at most one of them runs at a time in the whole fleet.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { DataJob, DataJobKind } from '@fleet/core';
import type { Logger } from 'pino';
import type { BulkWriteLock } from './bulk-write-lock.ts';
import { openMarkerGraceMs, type JobOutcome, type JobProgress, type JobStore, type OpenMarker } from './job-store.ts';

export interface JobContext {
  readonly job: DataJob;
  /** Records progress; the heartbeat writes the latest. */
  progress(done: number, total?: number): void;
  /** Aborted when the lease is lost or the runner stops: the handler stops early and its job is claimed again. */
  readonly signal: AbortSignal;
}

/** Runs one job from the start; expected failures (bad rows everywhere, an empty range) are outcomes, not throws. */
export type JobHandler = (context: JobContext) => Promise<JobOutcome>;

export interface JobRunnerOptions {
  readonly store: JobStore;
  readonly lock: BulkWriteLock;
  readonly handlers: Readonly<Record<DataJobKind, JobHandler>>;
  readonly logger: Logger;
  /** @default 2000 */
  readonly pollMs?: number;
  /** @default 5000 */
  readonly heartbeatMs?: number;
  /** A job (or the lock) whose heartbeat stopped this long is free again. @default 30000 */
  readonly leaseMs?: number;
  /** Jobs run at once by this runner. @default 2 */
  readonly concurrency?: number;
  /** @default `<host>-<pid>-<random>` */
  readonly owner?: string;
}

export interface JobRunner {
  start(): void;
  /** Stops polling and aborts running jobs (their leases lapse and another task re-runs them). */
  stop(): Promise<void>;
  /** One poll now (tests); resolves once the claimed jobs started. */
  poll(): Promise<void>;
  /** The jobs running now (tests wait on it). */
  idle(): Promise<void>;
}

const bulkKinds: ReadonlySet<DataJobKind> = new Set(['import', 'replay']);

export function createJobRunner(options: JobRunnerOptions): JobRunner {
  const { store, lock, handlers, logger } = options;
  const pollMs = options.pollMs ?? 2000;
  const heartbeatMs = options.heartbeatMs ?? 5000;
  const leaseMs = options.leaseMs ?? 30_000;
  const concurrency = options.concurrency ?? 2;
  const owner = options.owner ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = true;
  let polling: Promise<void> | undefined;

  async function run(job: DataJob, lockOwner: string | undefined, controller: AbortController): Promise<void> {
    let progress: JobProgress = { ...job.progress, done: 0 };
    const beat = setInterval(() => {
      void (async () => {
        const kept = await store.heartbeat(job.id, owner, progress, leaseMs);
        const locked = lockOwner === undefined || (await lock.renew(lockOwner, leaseMs));
        if (!kept || !locked) {
          logger.warn({ jobId: job.id, kept, locked }, 'data job lease lost: stopping it');
          controller.abort(new Error('lease lost'));
        }
      })().catch((err: unknown) => logger.warn({ err, jobId: job.id }, 'data job heartbeat failed'));
    }, heartbeatMs);
    try {
      const handler = handlers[job.input.kind];
      let outcome: JobOutcome;
      try {
        outcome = await handler({
          job,
          signal: controller.signal,
          progress(done, total) {
            progress = { ...progress, done, ...(total === undefined ? {} : { total }) };
          },
        });
      } catch (err) {
        if (controller.signal.aborted) return;
        logger.error({ err, jobId: job.id }, 'data job failed');
        outcome = { status: 'failed', error: `internal error: ${(err as Error).message}` };
      }
      if (controller.signal.aborted) return;
      await store.heartbeat(job.id, owner, progress, leaseMs);
      const finished = await store.finish(job.id, owner, outcome);
      logger.info({ jobId: job.id, kind: job.input.kind, status: outcome.status, finished }, 'data job finished');
    } finally {
      clearInterval(beat);
      if (lockOwner !== undefined) await lock.release(lockOwner);
    }
  }

  async function tryClaim({ id, markedAt }: OpenMarker): Promise<void> {
    const job = await store.get(id);
    if (job?.status === 'succeeded' || job?.status === 'failed') {
      await store.dropMarker(id);
      return;
    }
    if (!job || job.status === 'awaiting-upload') {
      // The marker is written before the job is created or queued (job-store.ts): this may be the
      // moment between the two writes. Dropping it here stranded a queued job that no runner found.
      if (Date.now() - markedAt > openMarkerGraceMs) await store.dropMarker(id);
      return;
    }
    // The lock owner names the job too: two jobs of one runner never share the lock.
    const lockOwner = bulkKinds.has(job.input.kind) ? `${owner}/${id}` : undefined;
    if (lockOwner !== undefined && !(await lock.acquire(lockOwner, id, leaseMs))) return;
    const claimed = await store.claim(id, owner, leaseMs);
    if (!claimed) {
      if (lockOwner !== undefined) await lock.release(lockOwner);
      return;
    }
    logger.info({ jobId: id, kind: claimed.input.kind }, 'data job claimed');
    const controller = new AbortController();
    const done = run(claimed, lockOwner, controller)
      .catch((err: unknown) => logger.error({ err, jobId: id }, 'data job bookkeeping failed'))
      .finally(() => running.delete(id));
    running.set(id, { controller, done });
  }

  async function pollOnce(): Promise<void> {
    if (running.size >= concurrency) return;
    for (const marker of await store.open()) {
      if (running.size >= concurrency) break;
      if (!running.has(marker.id)) await tryClaim(marker);
    }
  }

  function schedule() {
    if (stopped) return;
    timer = setTimeout(() => {
      polling = pollOnce()
        .catch((err: unknown) => logger.warn({ err }, 'data job poll failed'))
        .finally(() => {
          polling = undefined;
          schedule();
        });
    }, pollMs);
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      schedule();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await polling;
      for (const { controller } of running.values()) controller.abort(new Error('runner stopped'));
      await Promise.all([...running.values()].map((r) => r.done));
    },
    poll: pollOnce,
    async idle() {
      while (running.size > 0) await Promise.all([...running.values()].map((r) => r.done));
    },
  };
}
