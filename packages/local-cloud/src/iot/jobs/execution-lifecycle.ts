/**
 * How executions move (https://docs.aws.amazon.com/iot/latest/developerguide/iot-jobs-lifecycle.html
 * and jobs-configurations-details.html), for every operation alike:
 * - a transition must be legal (core's `isLegalExecutionTransition`) and adds 1 to the version;
 * - entering IN_PROGRESS starts the in-progress timer (CreateJob's `timeoutConfig`); a step timer
 *   (`stepTimeoutInMinutes`) replaces the previous one and never outlasts the in-progress timer;
 * - a FAILED or TIMED_OUT execution is retried (a new QUEUED execution, the next executionNumber)
 *   while the job's retry criteria allow and the job is IN_PROGRESS;
 * - a job whose failures cross an abort criterion is canceled (its QUEUED executions too, not the
 *   IN_PROGRESS ones); a SNAPSHOT job whose executions are all terminal is COMPLETED.
 */
import { isLegalExecutionTransition, isTerminalExecutionStatus, type ExecutionActor, type JobExecutionStatus } from '@fleet/core';
import type { ExecutionRecord, JobRecord } from './job-records.ts';
import { addExecution, currentExecutionsOfJob, executionOf } from './job-state.ts';
import type { JobsContext, Transaction } from './jobs-context.ts';

const minutes = (n: number) => n * 60_000;

export interface TransitionOptions {
  readonly statusDetails?: Record<string, string>;
  readonly stepTimeoutInMinutes?: number;
  readonly forceCanceled?: boolean;
}

/** Queues a new execution of `job` on `thingName` (its first, or a retry). */
export function queueExecution(
  context: JobsContext,
  tx: Transaction,
  job: JobRecord,
  thingName: string,
  retryAttempt = 0,
): ExecutionRecord {
  const previous = executionOf(context.state, thingName, job.jobId);
  const now = context.now();
  const execution: ExecutionRecord = {
    jobId: job.jobId,
    thingName,
    executionNumber: (previous?.executionNumber ?? 0) + 1,
    retryAttempt,
    status: 'QUEUED',
    versionNumber: 1,
    queuedAt: now,
    lastUpdatedAt: now,
  };
  tx.touch(thingName);
  addExecution(context.state, execution);
  tx.executions.add(execution);
  return execution;
}

/**
 * Moves an execution to `to`, then applies what follows (timers, retry, abort, completion).
 * @throws Error for an illegal transition: callers check legality first and answer with AWS's error.
 */
export function transition(
  context: JobsContext,
  tx: Transaction,
  execution: ExecutionRecord,
  to: JobExecutionStatus,
  actor: ExecutionActor,
  options: TransitionOptions = {},
): void {
  if (!isLegalExecutionTransition(execution.status, to, actor)) {
    throw new Error(`illegal job execution transition ${execution.status} → ${to} by the ${actor}`);
  }
  const job = context.state.jobs.get(execution.jobId);
  const now = context.now();
  tx.touch(execution.thingName);
  const entering = execution.status !== to;
  execution.status = to;
  execution.versionNumber += 1;
  execution.lastUpdatedAt = now;
  if (options.statusDetails) execution.statusDetails = { ...options.statusDetails };
  if (options.forceCanceled) execution.forceCanceled = true;
  tx.executions.add(execution);
  if (to === 'IN_PROGRESS') {
    if (entering) {
      execution.startedAt = now;
      const timeout = job?.inProgressTimeoutInMinutes;
      if (timeout !== undefined) execution.inProgressDeadline = execution.timeoutAt = now + minutes(timeout);
    }
    if (options.stepTimeoutInMinutes !== undefined) {
      const step = now + minutes(options.stepTimeoutInMinutes);
      execution.timeoutAt = Math.min(step, execution.inProgressDeadline ?? step);
    }
    return;
  }
  delete execution.timeoutAt;
  delete execution.inProgressDeadline;
  if (isTerminalExecutionStatus(to)) tx.ended.push(execution);
  if (job && isTerminalExecutionStatus(to)) afterTerminal(context, tx, job, execution);
}

function afterTerminal(context: JobsContext, tx: Transaction, job: JobRecord, execution: ExecutionRecord): void {
  if (job.status === 'IN_PROGRESS' && shouldRetry(context, job, execution)) {
    queueExecution(context, tx, job, execution.thingName, execution.retryAttempt + 1);
    return;
  }
  if (job.status === 'IN_PROGRESS' && crossesAbortCriteria(context, job)) {
    abortJob(context, tx, job);
    return;
  }
  completeIfDone(context, tx, job);
}

/** Retries left for this failure type: criteria of that type first, else ALL (AWS: up to 10 in all). */
function shouldRetry(context: JobsContext, job: JobRecord, execution: ExecutionRecord): boolean {
  if (execution.status !== 'FAILED' && execution.status !== 'TIMED_OUT') return false;
  const criteria = job.retryCriteria ?? [];
  const criterion = criteria.find((c) => c.failureType === execution.status) ?? criteria.find((c) => c.failureType === 'ALL');
  if (!criterion) return false;
  const counted = criterion.failureType === 'ALL' ? ['FAILED', 'TIMED_OUT'] : [criterion.failureType];
  const history = context.state.executions.get(execution.thingName)?.get(job.jobId) ?? [];
  const failures = history.filter((e) => counted.includes(e.status)).length;
  return failures <= criterion.numberOfRetries;
}

const failureStatuses: Record<string, readonly JobExecutionStatus[]> = {
  FAILED: ['FAILED'],
  REJECTED: ['REJECTED'],
  TIMED_OUT: ['TIMED_OUT'],
  ALL: ['FAILED', 'REJECTED', 'TIMED_OUT'],
};

/** Whether, among the things whose current execution is terminal, the share of failures crosses a criterion. */
function crossesAbortCriteria(context: JobsContext, job: JobRecord): boolean {
  const executed = currentExecutionsOfJob(context.state, job.jobId).filter((e) => isTerminalExecutionStatus(e.status));
  return (job.abortCriteria ?? []).some((criterion) => {
    if (executed.length < criterion.minNumberOfExecutedThings) return false;
    const failed = executed.filter((e) => failureStatuses[criterion.failureType]?.includes(e.status)).length;
    return (failed / executed.length) * 100 >= criterion.thresholdPercentage;
  });
}

/** The abort configuration's cancel: the job is CANCELED, its QUEUED executions too, IN_PROGRESS ones run on. */
function abortJob(context: JobsContext, tx: Transaction, job: JobRecord): void {
  job.status = 'CANCELED';
  job.comment = 'Canceled by the job abort configuration';
  job.lastUpdatedAt = context.now();
  tx.jobs.add(job);
  tx.jobEvents.push({ job, operation: 'canceled' });
  for (const execution of currentExecutionsOfJob(context.state, job.jobId)) {
    if (execution.status === 'QUEUED') transition(context, tx, execution, 'CANCELED', 'service');
  }
}

/** A SNAPSHOT job is COMPLETED once every execution is terminal; a CONTINUOUS job never is. */
export function completeIfDone(context: JobsContext, tx: Transaction, job: JobRecord): void {
  if (job.status !== 'IN_PROGRESS' || job.targetSelection !== 'SNAPSHOT') return;
  if (currentExecutionsOfJob(context.state, job.jobId).some((e) => !isTerminalExecutionStatus(e.status))) return;
  job.status = 'COMPLETED';
  job.completedAt = job.lastUpdatedAt = context.now();
  tx.jobs.add(job);
  tx.jobEvents.push({ job, operation: 'completed' });
}
