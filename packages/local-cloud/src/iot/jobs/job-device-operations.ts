/**
 * What a device asks of AWS IoT Jobs, over MQTT or the `iot-jobs-data` HTTPS data plane alike:
 * GetPendingJobExecutions, StartNextPendingJobExecution, DescribeJobExecution and
 * UpdateJobExecution (https://docs.aws.amazon.com/iot/latest/developerguide/jobs-mqtt-api.html).
 * A refusal is a `JobsRejection` with the MQTT API's error code (the HTTP adapter maps it to the
 * data plane's exceptions); InvalidStateTransition and VersionMismatch carry the execution's state.
 */
import {
  isLegalExecutionTransition,
  isTerminalExecutionStatus,
  jobExecutionStatuses,
  statusDetailsProblem,
  type JobExecutionState,
  type JobExecutionStatus,
  type JobExecutionSummary,
  type JobsErrorCode,
} from '@fleet/core';
import { transition } from './execution-lifecycle.ts';
import type { ExecutionRecord } from './job-records.ts';
import { executionOf, nextExecutionOf, pendingExecutionsOf } from './job-state.ts';
import { deviceExecution, executionState, executionSummary, type TextJobExecution } from './job-views.ts';
import type { JobsContext, Transaction } from './jobs-context.ts';

export class JobsRejection extends Error {
  constructor(
    readonly code: JobsErrorCode,
    message: string,
    readonly executionState?: JobExecutionState,
  ) {
    super(message);
    this.name = 'JobsRejection';
  }
}

/** A device request's members, as parsed from its JSON payload or HTTP request. */
export type DeviceInput = Readonly<Record<string, unknown>>;

const invalidRequest = (message: string) => new JobsRejection('InvalidRequest', message);

function optionalInteger(input: DeviceInput, name: string, min: number, max: number): number | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidRequest(`${name} must be an integer from ${min} to ${max}; received ${JSON.stringify(value)}`);
  }
  return value;
}

function optionalBoolean(input: DeviceInput, name: string): boolean | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw invalidRequest(`${name} must be a boolean; received ${JSON.stringify(value)}`);
  return value;
}

function optionalStatusDetails(input: DeviceInput): Record<string, string> | undefined {
  const value = input.statusDetails;
  if (value === undefined || value === null) return undefined;
  const problem = statusDetailsProblem(value);
  if (problem) throw invalidRequest(problem);
  return value as Record<string, string>;
}

/** AWS: step timers of 1 minute to 7 days. */
const stepTimeout = (input: DeviceInput) => optionalInteger(input, 'stepTimeoutInMinutes', 1, 10_080);

export function getPendingJobExecutions(
  context: JobsContext,
  thingName: string,
): {
  inProgressJobs: JobExecutionSummary[];
  queuedJobs: JobExecutionSummary[];
} {
  const pending = pendingExecutionsOf(context.state, thingName);
  return {
    inProgressJobs: pending.filter((e) => e.status === 'IN_PROGRESS').map(executionSummary),
    queuedJobs: pending.filter((e) => e.status === 'QUEUED').map(executionSummary),
  };
}

const view = (context: JobsContext, e: ExecutionRecord, includeJobDocument: boolean) =>
  deviceExecution(e, context.state.jobs.get(e.jobId), includeJobDocument, context.now());

/**
 * StartNextPendingJobExecution: the next pending execution; a QUEUED one becomes IN_PROGRESS with
 * the given statusDetails and step timer, an IN_PROGRESS one is returned unchanged. Nothing
 * pending: no `execution`. The reply carries the job document (a device starts work from it).
 */
export function startNextPendingJobExecution(
  context: JobsContext,
  tx: Transaction,
  thingName: string,
  input: DeviceInput,
): { execution?: TextJobExecution } {
  const statusDetails = optionalStatusDetails(input);
  const step = stepTimeout(input);
  const next = nextExecutionOf(context.state, thingName);
  if (!next) return {};
  if (next.status === 'QUEUED') {
    transition(context, tx, next, 'IN_PROGRESS', 'device', {
      ...(statusDetails ? { statusDetails } : {}),
      ...(step !== undefined ? { stepTimeoutInMinutes: step } : {}),
    });
  }
  return { execution: view(context, next, true) };
}

/** DescribeJobExecution of a job or of `$next`. A terminal execution answers TerminalStateReached (MQTT API). */
export function describeJobExecution(
  context: JobsContext,
  thingName: string,
  jobId: string,
  input: DeviceInput,
): { execution?: TextJobExecution } {
  const executionNumber = optionalInteger(input, 'executionNumber', 1, Number.MAX_SAFE_INTEGER);
  const includeJobDocument = optionalBoolean(input, 'includeJobDocument') ?? false;
  if (jobId === '$next') {
    const next = nextExecutionOf(context.state, thingName);
    return next ? { execution: view(context, next, includeJobDocument) } : {};
  }
  const execution = executionOf(context.state, thingName, jobId, executionNumber);
  if (!execution) throw new JobsRejection('ResourceNotFound', `No job execution of job ${jobId} on thing ${thingName}`);
  if (isTerminalExecutionStatus(execution.status)) {
    throw new JobsRejection('TerminalStateReached', `The job execution of job ${jobId} on thing ${thingName} is ${execution.status}`);
  }
  return { execution: view(context, execution, includeJobDocument) };
}

/** UpdateJobExecution: the device reports IN_PROGRESS, SUCCEEDED, FAILED or REJECTED. */
export function updateJobExecution(
  context: JobsContext,
  tx: Transaction,
  thingName: string,
  jobId: string,
  input: DeviceInput,
): { executionState?: JobExecutionState; jobDocument?: string } {
  const status = input.status;
  if (typeof status !== 'string' || !(jobExecutionStatuses as readonly string[]).includes(status)) {
    throw invalidRequest(`status must be one of IN_PROGRESS, SUCCEEDED, FAILED, REJECTED; received ${JSON.stringify(status)}`);
  }
  const statusDetails = optionalStatusDetails(input);
  const step = stepTimeout(input);
  const expectedVersion = optionalInteger(input, 'expectedVersion', 0, Number.MAX_SAFE_INTEGER);
  const executionNumber = optionalInteger(input, 'executionNumber', 1, Number.MAX_SAFE_INTEGER);
  const includeJobExecutionState = optionalBoolean(input, 'includeJobExecutionState') ?? false;
  const includeJobDocument = optionalBoolean(input, 'includeJobDocument') ?? false;
  const execution = executionOf(context.state, thingName, jobId, executionNumber);
  if (!execution) throw new JobsRejection('ResourceNotFound', `No job execution of job ${jobId} on thing ${thingName}`);
  if (expectedVersion !== undefined && expectedVersion !== execution.versionNumber) {
    throw new JobsRejection(
      'VersionMismatch',
      `The expected version ${expectedVersion} does not match the job execution's version ${execution.versionNumber}`,
      executionState(execution),
    );
  }
  const to = status as JobExecutionStatus;
  if (!isLegalExecutionTransition(execution.status, to, 'device')) {
    throw new JobsRejection(
      'InvalidStateTransition',
      `A job execution cannot go from ${execution.status} to ${to}`,
      executionState(execution),
    );
  }
  transition(context, tx, execution, to, 'device', {
    ...(statusDetails ? { statusDetails } : {}),
    ...(step !== undefined ? { stepTimeoutInMinutes: step } : {}),
  });
  const job = context.state.jobs.get(jobId);
  return {
    ...(includeJobExecutionState ? { executionState: executionState(execution) } : {}),
    ...(includeJobDocument && job ? { jobDocument: job.document } : {}),
  };
}
