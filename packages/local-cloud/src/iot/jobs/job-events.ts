/**
 * The Jobs events AWS IoT publishes when they are enabled (UpdateEventConfigurations JOB and
 * JOB_EXECUTION; https://docs.aws.amazon.com/iot/latest/developerguide/events-jobs.html):
 * `$aws/events/job/<jobId>/{completed,canceled,deleted}` and
 * `$aws/events/jobExecution/<jobId>/{succeeded,failed,rejected,canceled,timed_out,removed}` when an
 * execution reaches a terminal status. Unlike the device replies they pass the broker, so rules and
 * monitoring clients (a web app) can subscribe to them.
 */
import { randomUUID } from 'node:crypto';
import { isTerminalExecutionStatus } from '@fleet/core';
import type { ExecutionRecord, JobRecord } from './job-records.ts';
import { jobProcessDetails, wholeSeconds } from './job-views.ts';

export type JobOperation = 'completed' | 'canceled' | 'deleted';

export interface JobEvent {
  readonly topic: string;
  readonly payload: string;
}

export function jobEvent(job: JobRecord, operation: JobOperation, current: readonly ExecutionRecord[], now: number): JobEvent {
  const body = {
    eventType: 'JOB',
    eventId: randomUUID(),
    timestamp: wholeSeconds(now),
    operation,
    jobId: job.jobId,
    status: operation === 'deleted' ? 'DELETED' : job.status,
    targetSelection: job.targetSelection,
    targets: job.targets,
    ...(job.description !== undefined ? { description: job.description } : {}),
    ...(job.completedAt !== undefined ? { completedAt: job.completedAt } : {}),
    createdAt: job.createdAt,
    lastUpdatedAt: job.lastUpdatedAt,
    ...(job.comment !== undefined ? { comment: job.comment } : {}),
    ...(operation === 'completed' ? { jobProcessDetails: jobProcessDetails(current) } : {}),
  };
  return { topic: `$aws/events/job/${job.jobId}/${operation}`, payload: JSON.stringify(body) };
}

export function jobExecutionEvent(execution: ExecutionRecord, thingArn: string, now: number): JobEvent | undefined {
  if (!isTerminalExecutionStatus(execution.status)) return undefined;
  const operation = execution.status.toLowerCase();
  const body = {
    eventType: 'JOB_EXECUTION',
    eventId: randomUUID(),
    timestamp: wholeSeconds(now),
    operation,
    jobId: execution.jobId,
    thingArn,
    status: execution.status,
    ...(execution.statusDetails ? { statusDetails: execution.statusDetails } : {}),
  };
  return { topic: `$aws/events/jobExecution/${execution.jobId}/${operation}`, payload: JSON.stringify(body) };
}
