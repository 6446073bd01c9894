/**
 * The wire shapes of jobs and executions: the device side's (MQTT and the `iot-jobs-data` data
 * plane: `JobExecution`, `JobExecutionSummary`, `JobExecutionState`, times as whole epoch seconds)
 * and the control plane's (`Job` with its `jobProcessDetails`, `JobSummary`, `JobExecution`,
 * `JobExecutionSummary`; restJson1 timestamps in epoch seconds).
 */
import type { JobDocument, JobExecution, JobExecutionState, JobExecutionSummary } from '@fleet/core';
import { epochSeconds } from '../control-plane/rest-json.ts';
import type { ExecutionRecord, JobRecord } from './job-records.ts';

/** The data plane's times: whole epoch seconds. */
export const wholeSeconds = (ms: number) => Math.floor(ms / 1000);

const secondsLeft = (e: ExecutionRecord, now: number) =>
  e.status === 'IN_PROGRESS' && e.timeoutAt !== undefined
    ? { approximateSecondsBeforeTimedOut: Math.max(0, Math.round((e.timeoutAt - now) / 1000)) }
    : {};

export const executionState = (e: ExecutionRecord): JobExecutionState => ({
  status: e.status,
  ...(e.statusDetails ? { statusDetails: e.statusDetails } : {}),
  versionNumber: e.versionNumber,
});

/** A device's view of an execution with the job document as text (the HTTPS data plane's form; `inMqttForm` parses it). */
export type TextJobExecution = Omit<JobExecution, 'jobDocument'> & { readonly jobDocument?: string };

export function deviceExecution(
  e: ExecutionRecord,
  job: JobRecord | undefined,
  includeJobDocument: boolean,
  now: number,
): TextJobExecution {
  return {
    jobId: e.jobId,
    thingName: e.thingName,
    ...executionState(e),
    queuedAt: wholeSeconds(e.queuedAt),
    ...(e.startedAt !== undefined ? { startedAt: wholeSeconds(e.startedAt) } : {}),
    lastUpdatedAt: wholeSeconds(e.lastUpdatedAt),
    ...secondsLeft(e, now),
    executionNumber: e.executionNumber,
    ...(includeJobDocument && job ? { jobDocument: job.document } : {}),
  };
}

/**
 * A device reply or notification as the MQTT API sends it: the job document embedded as JSON, not
 * as text (https://docs.aws.amazon.com/iot/latest/developerguide/jobs-comm-notifications.html).
 */
export function inMqttForm(body: object): object {
  const parse = (text: string) => JSON.parse(text) as JobDocument;
  const { execution, jobDocument } = body as { execution?: TextJobExecution; jobDocument?: string };
  return {
    ...body,
    ...(execution?.jobDocument !== undefined ? { execution: { ...execution, jobDocument: parse(execution.jobDocument) } } : {}),
    ...(jobDocument !== undefined ? { jobDocument: parse(jobDocument) } : {}),
  };
}

export const executionSummary = (e: ExecutionRecord): JobExecutionSummary => ({
  jobId: e.jobId,
  queuedAt: wholeSeconds(e.queuedAt),
  ...(e.startedAt !== undefined ? { startedAt: wholeSeconds(e.startedAt) } : {}),
  lastUpdatedAt: wholeSeconds(e.lastUpdatedAt),
  versionNumber: e.versionNumber,
  executionNumber: e.executionNumber,
});

/** Control plane `JobExecution` (DescribeJobExecution). */
export function controlExecution(e: ExecutionRecord, thingArn: string, now: number) {
  return {
    jobId: e.jobId,
    status: e.status,
    forceCanceled: e.forceCanceled ?? false,
    statusDetails: { detailsMap: e.statusDetails ?? {} },
    thingArn,
    queuedAt: epochSeconds(e.queuedAt),
    ...(e.startedAt !== undefined ? { startedAt: epochSeconds(e.startedAt) } : {}),
    lastUpdatedAt: epochSeconds(e.lastUpdatedAt),
    executionNumber: e.executionNumber,
    versionNumber: e.versionNumber,
    ...secondsLeft(e, now),
  };
}

/** Control plane `JobExecutionSummary` (ListJobExecutionsForThing / ForJob). */
export const controlExecutionSummary = (e: ExecutionRecord) => ({
  status: e.status,
  queuedAt: epochSeconds(e.queuedAt),
  ...(e.startedAt !== undefined ? { startedAt: epochSeconds(e.startedAt) } : {}),
  lastUpdatedAt: epochSeconds(e.lastUpdatedAt),
  executionNumber: e.executionNumber,
  retryAttempt: e.retryAttempt,
});

/** `jobProcessDetails`: how many things are in each status (by their current execution). */
export function jobProcessDetails(current: readonly ExecutionRecord[]) {
  const count = (status: ExecutionRecord['status']) => current.filter((e) => e.status === status).length;
  return {
    numberOfCanceledThings: count('CANCELED'),
    numberOfSucceededThings: count('SUCCEEDED'),
    numberOfFailedThings: count('FAILED'),
    numberOfRejectedThings: count('REJECTED'),
    numberOfQueuedThings: count('QUEUED'),
    numberOfInProgressThings: count('IN_PROGRESS'),
    numberOfRemovedThings: count('REMOVED'),
    numberOfTimedOutThings: count('TIMED_OUT'),
  };
}

const lifecycle = (job: JobRecord) => ({
  status: job.status,
  createdAt: epochSeconds(job.createdAt),
  lastUpdatedAt: epochSeconds(job.lastUpdatedAt),
  ...(job.completedAt !== undefined ? { completedAt: epochSeconds(job.completedAt) } : {}),
  // Executions are created with the job, so a job never stays in its rollout phase.
  isConcurrent: false,
});

/** Control plane `Job` (DescribeJob). */
export function controlJob(job: JobRecord, current: readonly ExecutionRecord[]) {
  return {
    jobArn: job.jobArn,
    jobId: job.jobId,
    targetSelection: job.targetSelection,
    ...lifecycle(job),
    forceCanceled: job.forceCanceled ?? false,
    ...(job.reasonCode !== undefined ? { reasonCode: job.reasonCode } : {}),
    ...(job.comment !== undefined ? { comment: job.comment } : {}),
    targets: job.targets,
    ...(job.description !== undefined ? { description: job.description } : {}),
    jobProcessDetails: jobProcessDetails(current),
    ...(job.inProgressTimeoutInMinutes !== undefined
      ? { timeoutConfig: { inProgressTimeoutInMinutes: job.inProgressTimeoutInMinutes } }
      : {}),
    ...(job.retryCriteria ? { jobExecutionsRetryConfig: { criteriaList: job.retryCriteria } } : {}),
    ...(job.abortCriteria ? { abortConfig: { criteriaList: job.abortCriteria } } : {}),
  };
}

/** Control plane `JobSummary` (ListJobs). */
export const controlJobSummary = (job: JobRecord) => ({
  jobArn: job.jobArn,
  jobId: job.jobId,
  targetSelection: job.targetSelection,
  ...lifecycle(job),
});
