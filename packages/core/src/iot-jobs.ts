/**
 * AWS IoT Jobs, the protocol shared by the local cloud's Jobs stand-in, the API Service, the
 * simulator (device side) and the web app: the statuses of jobs and job executions with the legal
 * transitions of an execution, and the documents a device exchanges over MQTT
 * (https://docs.aws.amazon.com/iot/latest/developerguide/jobs-mqtt-api.html) and the HTTPS data plane
 * (https://docs.aws.amazon.com/iot/latest/apireference/API_Operations_AWS_IoT_Jobs_Data_Plane.html).
 * Times are epoch seconds, as AWS IoT Jobs sends them. Pure: no I/O, browser-safe.
 */

/** Statuses of a job execution (one job on one thing). */
export const jobExecutionStatuses = [
  'QUEUED',
  'IN_PROGRESS',
  'SUCCEEDED',
  'FAILED',
  'TIMED_OUT',
  'REJECTED',
  'REMOVED',
  'CANCELED',
] as const;
export type JobExecutionStatus = (typeof jobExecutionStatuses)[number];

/** Statuses of a job. SCHEDULED belongs to scheduled jobs (schedulingConfig), which the local cloud does not run. */
export const jobStatuses = ['IN_PROGRESS', 'CANCELED', 'DELETION_IN_PROGRESS', 'COMPLETED', 'SCHEDULED'] as const;
export type JobStatus = (typeof jobStatuses)[number];

/** QUEUED and IN_PROGRESS executions are pending: a device still has them to do. */
export const pendingExecutionStatuses: readonly JobExecutionStatus[] = ['QUEUED', 'IN_PROGRESS'];

/** Statuses a device may report with UpdateJobExecution ("IN_PROGRESS, FAILED, SUCCEEDED, or REJECTED"). */
export const deviceReportableStatuses: readonly JobExecutionStatus[] = ['IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'REJECTED'];

export const isTerminalExecutionStatus = (status: JobExecutionStatus): boolean => !pendingExecutionStatuses.includes(status);

/** Who changes an execution: its device (UpdateJobExecution, StartNext) or the service (cancel, timeout, removal). */
export type ExecutionActor = 'device' | 'service';

/**
 * The legal transitions of a job execution
 * (https://docs.aws.amazon.com/iot/latest/developerguide/iot-jobs-lifecycle.html): the device moves a
 * pending execution to IN_PROGRESS (again, to report progress) or to a terminal status it may report;
 * the service cancels (CancelJob, CancelJobExecution, abort), times out (IN_PROGRESS only) or removes
 * a pending one. A terminal execution never changes (a retry is a new execution).
 */
export function isLegalExecutionTransition(from: JobExecutionStatus, to: JobExecutionStatus, actor: ExecutionActor): boolean {
  if (isTerminalExecutionStatus(from)) return false;
  if (actor === 'device') return deviceReportableStatuses.includes(to);
  if (to === 'TIMED_OUT') return from === 'IN_PROGRESS';
  return to === 'CANCELED' || to === 'REMOVED';
}

/** Name/value pairs a device reports with an execution: keys `[a-zA-Z0-9:_-]{1,128}`, values of 1 to 1,024 characters. */
export type StatusDetails = Readonly<Record<string, string>>;

/** Why `statusDetails` is invalid (AWS's constraints), or undefined when valid. */
export function statusDetailsProblem(details: unknown): string | undefined {
  if (details === null || typeof details !== 'object' || Array.isArray(details)) return 'statusDetails must be an object of strings';
  for (const [key, value] of Object.entries(details)) {
    if (!/^[a-zA-Z0-9:_-]{1,128}$/.test(key)) return `statusDetails key "${key}" must match [a-zA-Z0-9:_-]{1,128}`;
    // The value pattern [^\p{C}]+ refuses control characters.
    if (typeof value !== 'string' || value.length < 1 || value.length > 1024 || /\p{C}/u.test(value)) {
      return `statusDetails value of "${key}" must be a string of 1 to 1024 printable characters`;
    }
  }
  return undefined;
}

/** The state of an execution, as the data plane returns it (`JobExecutionState`). */
export interface JobExecutionState {
  readonly status: JobExecutionStatus;
  readonly statusDetails?: StatusDetails;
  readonly versionNumber: number;
}

/**
 * A job document as the MQTT API carries it: the JSON document given to CreateJob, parsed (the
 * HTTPS data plane returns the same document as text, `@aws-sdk/client-iot-jobs-data-plane`'s string).
 */
export type JobDocument = Readonly<Record<string, unknown>>;

/** A job execution as a device sees it over MQTT (data plane `JobExecution`; `thingName` is absent from notify-next). */
export interface JobExecution extends JobExecutionState {
  readonly jobId: string;
  readonly thingName?: string;
  /** Epoch seconds. */
  readonly queuedAt: number;
  readonly startedAt?: number;
  readonly lastUpdatedAt: number;
  readonly approximateSecondsBeforeTimedOut?: number;
  readonly executionNumber: number;
  readonly jobDocument?: JobDocument;
}

/** A pending execution in lists (data plane `JobExecutionSummary`). */
export interface JobExecutionSummary {
  readonly jobId: string;
  readonly queuedAt: number;
  readonly startedAt?: number;
  readonly lastUpdatedAt: number;
  readonly versionNumber: number;
  readonly executionNumber: number;
}

/** Requests a device publishes (each may carry a `clientToken`, echoed in the reply). */
export interface GetPendingJobExecutionsRequest {
  readonly clientToken?: string;
}

export interface StartNextPendingJobExecutionRequest {
  readonly statusDetails?: StatusDetails;
  /** 1 to 10,080 minutes. */
  readonly stepTimeoutInMinutes?: number;
  readonly clientToken?: string;
}

export interface DescribeJobExecutionRequest {
  readonly executionNumber?: number;
  readonly includeJobDocument?: boolean;
  readonly clientToken?: string;
}

export interface UpdateJobExecutionRequest {
  readonly status: JobExecutionStatus;
  readonly statusDetails?: StatusDetails;
  readonly stepTimeoutInMinutes?: number;
  readonly expectedVersion?: number;
  readonly includeJobExecutionState?: boolean;
  readonly includeJobDocument?: boolean;
  readonly executionNumber?: number;
  readonly clientToken?: string;
}

/** Replies on `.../accepted`; `timestamp` is epoch seconds. */
export interface GetPendingJobExecutionsResponse {
  readonly inProgressJobs: readonly JobExecutionSummary[];
  readonly queuedJobs: readonly JobExecutionSummary[];
  readonly timestamp: number;
  readonly clientToken?: string;
}

/** StartNext and DescribeJobExecution: `execution` is absent when nothing is pending. */
export interface JobExecutionResponse {
  readonly execution?: JobExecution;
  readonly timestamp: number;
  readonly clientToken?: string;
}

export interface UpdateJobExecutionResponse {
  readonly executionState?: JobExecutionState;
  readonly jobDocument?: JobDocument;
  readonly timestamp: number;
  readonly clientToken?: string;
}

/** Error codes of `.../rejected` (https://docs.aws.amazon.com/iot/latest/developerguide/jobs-mqtt-api.html). */
export const jobsErrorCodes = [
  'InvalidTopic',
  'InvalidJson',
  'InvalidRequest',
  'InvalidStateTransition',
  'ResourceNotFound',
  'VersionMismatch',
  'InternalError',
  'RequestThrottled',
  'TerminalStateReached',
] as const;
export type JobsErrorCode = (typeof jobsErrorCodes)[number];

/** The reply on `.../rejected`; `executionState` comes with InvalidStateTransition and VersionMismatch. */
export interface JobsErrorResponse {
  readonly code: JobsErrorCode;
  readonly message: string;
  readonly clientToken?: string;
  readonly timestamp: number;
  readonly executionState?: JobExecutionState;
}

/** `notify`: the pending executions of a thing changed (at most 15, IN_PROGRESS first, then by queue time). */
export interface JobExecutionsChangedEvent {
  readonly jobs: { readonly IN_PROGRESS?: readonly JobExecutionSummary[]; readonly QUEUED?: readonly JobExecutionSummary[] };
  readonly timestamp: number;
}

/** `notify-next`: the next pending execution changed; `execution` is absent when none is left. */
export interface NextJobExecutionChangedEvent {
  readonly execution?: JobExecution;
  readonly timestamp: number;
}
