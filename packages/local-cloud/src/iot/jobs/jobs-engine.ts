/**
 * The AWS IoT Jobs stand-in's engine: runs each operation as one transaction (checked and applied
 * in memory in one synchronous step, so operations never interleave: every thing's executions
 * change one operation at a time), makes it durable (LevelDB, fsync, group commit) before the
 * operation resolves, then publishes the notifications AWS IoT Jobs sends
 * (https://docs.aws.amazon.com/iot/latest/developerguide/jobs-comm-notifications.html):
 * `notify` when a thing's list of pending executions changed, `notify-next` when its next pending
 * execution changed. It also fires the execution timers (in-progress and step timeouts), after a
 * restart too: an execution whose deadline passed while the local cloud was down times out at start.
 */
import { jobsTopics, type JobExecutionsChangedEvent, type NextJobExecutionChangedEvent } from '@fleet/core';
import type { Logger } from 'pino';
import type { IotRegistry } from '../registry/iot-registry.ts';
import type { MembershipListener } from '../control-plane/routes/thing-group-routes.ts';
import { transition } from './execution-lifecycle.ts';
import { followMembership } from './job-control-operations.ts';
import type { ExecutionRecord, JobRecord } from './job-records.ts';
import { jobEvent, jobExecutionEvent, type JobEvent } from './job-events.ts';
import { createJobState, currentExecutionsOfJob, nextExecutionOf, pendingExecutionsOf, timedExecutions } from './job-state.ts';
import type { JobStore } from './job-store.ts';
import { deviceExecution, executionSummary, inMqttForm, wholeSeconds } from './job-views.ts';
import type { JobsContext, Transaction } from './jobs-context.ts';

export interface JobsEngineOptions {
  readonly store: JobStore;
  readonly registry: IotRegistry;
  /** Publishes a notification as the service (through the broker, to subscribers and rules). */
  readonly publish: (topic: string, payload: string, qos: 0 | 1) => Promise<void>;
  /** Epoch ms. @default Date.now */
  readonly now?: () => number;
  readonly log?: Logger;
}

export interface JobsEngine {
  readonly context: JobsContext;
  /** Runs a changing operation; resolves with its result once the change is durable. */
  run<R>(operation: (context: JobsContext, tx: Transaction) => R): Promise<R>;
  /** Runs a reading operation once every change accepted before it is durable. */
  read<R>(operation: (context: JobsContext) => R): Promise<R>;
  /** Times out every IN_PROGRESS execution whose timer ended (by the engine's clock); answers how many. */
  runDueTimeouts(): Promise<number>;
  /** Continuous jobs follow their groups (thing-group-routes.ts). */
  readonly onMembershipChange: MembershipListener;
  close(): Promise<void>;
}

/** AWS: a ListNotification lists at most 15 pending executions. */
const maxListed = 15;
/** setTimeout's largest delay. */
const maxTimerMs = 2 ** 31 - 1;

export async function createJobsEngine(options: JobsEngineOptions): Promise<JobsEngine> {
  const { store, log } = options;
  const context: JobsContext = { state: createJobState(await store.load()), registry: options.registry, now: options.now ?? Date.now };
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let notifying: Promise<void> = Promise.resolve();

  /** What a thing's notifications depend on: its pending list (ids and statuses) and its next execution. */
  const signatureOf = (thingName: string) => {
    const pending = pendingExecutionsOf(context.state, thingName);
    const next = pending[0];
    return {
      // Not the statuses: starting the first execution changes neither list nor next (AWS's worked example).
      list: JSON.stringify(pending.map((e) => [e.jobId, e.executionNumber]).sort()),
      next: next ? `${next.jobId}#${next.executionNumber}` : '',
    };
  };

  function notify(thingName: string, before: ReturnType<typeof signatureOf>): void {
    const after = signatureOf(thingName);
    const timestamp = wholeSeconds(context.now());
    const messages: [string, unknown][] = [];
    if (after.list !== before.list) {
      const pending = pendingExecutionsOf(context.state, thingName).slice(0, maxListed);
      const inProgress = pending.filter((e) => e.status === 'IN_PROGRESS').map(executionSummary);
      const queued = pending.filter((e) => e.status === 'QUEUED').map(executionSummary);
      const event: JobExecutionsChangedEvent = {
        timestamp,
        jobs: { ...(inProgress.length ? { IN_PROGRESS: inProgress } : {}), ...(queued.length ? { QUEUED: queued } : {}) },
      };
      messages.push([jobsTopics.notify(thingName), event]);
    }
    if (after.next !== before.next) {
      const next = nextExecutionOf(context.state, thingName);
      // AWS's notify-next carries the execution with its document, without the thing's name (the topic has it).
      const execution = next
        ? { ...deviceExecution(next, context.state.jobs.get(next.jobId), true, context.now()), thingName: undefined }
        : undefined;
      const event = inMqttForm({ timestamp, ...(execution ? { execution } : {}) }) as NextJobExecutionChangedEvent;
      messages.push([jobsTopics.notifyNext(thingName), event]);
    }
    for (const [topic, event] of messages) {
      const payload = JSON.stringify(event);
      // In order, after the change is durable, without holding up the operation's answer.
      notifying = notifying.then(() =>
        options.publish(topic, payload, 1).catch((err: unknown) => log?.warn({ err, topic }, 'iot jobs: notification failed')),
      );
    }
  }

  /** The JOB and JOB_EXECUTION events of a committed transaction, when enabled (job-events.ts). */
  function announce(tx: Transaction): void {
    const now = context.now();
    const { registry } = context;
    const events: JobEvent[] = [];
    if (registry.isEventEnabled('JOB_EXECUTION')) {
      for (const e of tx.ended) {
        const event = jobExecutionEvent(e, registry.arn('thing', e.thingName), now);
        if (event) events.push(event);
      }
    }
    if (registry.isEventEnabled('JOB')) {
      for (const { job, operation } of tx.jobEvents)
        events.push(jobEvent(job, operation, currentExecutionsOfJob(context.state, job.jobId), now));
    }
    for (const { topic, payload } of events) {
      notifying = notifying.then(() =>
        options.publish(topic, payload, 1).catch((err: unknown) => log?.warn({ err, topic }, 'iot jobs: event failed')),
      );
    }
  }

  function schedule(): void {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (closed) return;
    const deadlines = timedExecutions(context.state).map((e) => e.timeoutAt as number);
    if (deadlines.length === 0) return;
    const delay = Math.min(Math.max(0, Math.min(...deadlines) - context.now()), maxTimerMs);
    timer = setTimeout(() => {
      engine.runDueTimeouts().catch((err: unknown) => log?.error({ err }, 'iot jobs: timeouts failed'));
    }, delay);
    timer.unref();
  }

  const engine: JobsEngine = {
    context,
    async run(operation) {
      if (closed) throw new Error('the IoT Jobs engine is closed');
      const before = new Map<string, ReturnType<typeof signatureOf>>();
      const tx: Transaction = {
        jobs: new Set<JobRecord>(),
        executions: new Set<ExecutionRecord>(),
        deletedJobs: new Set<string>(),
        deletedExecutions: [],
        touch: (thingName) => void (before.has(thingName) || before.set(thingName, signatureOf(thingName))),
        ended: [],
        jobEvents: [],
      };
      const result = operation(context, tx);
      await store.commit({
        jobs: [...tx.jobs],
        executions: [...tx.executions],
        deletedJobs: [...tx.deletedJobs],
        deletedExecutions: tx.deletedExecutions,
      });
      for (const [thingName, signature] of before) notify(thingName, signature);
      announce(tx);
      if (tx.executions.size > 0 || tx.deletedExecutions.length > 0) schedule();
      return result;
    },
    async read(operation) {
      await store.drain();
      return operation(context);
    },
    async runDueTimeouts() {
      const fired = await engine.run((ctx, tx) => {
        const now = ctx.now();
        const due = timedExecutions(ctx.state).filter((e) => (e.timeoutAt as number) <= now);
        for (const execution of due) transition(ctx, tx, execution, 'TIMED_OUT', 'service');
        return due.length;
      });
      // Also when nothing was due: a timer may fire a little before the clock reaches its deadline.
      schedule();
      return fired;
    },
    onMembershipChange: async ({ thingName }) => {
      await engine.run((ctx, tx) => followMembership(ctx, tx, thingName));
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await notifying;
      await store.close();
    },
  };
  // Deadlines that passed while the local cloud was down fire now.
  schedule();
  return engine;
}
