/**
 * What the Jobs stand-in persists: a job (CreateJob's configuration and its status) and each
 * execution of it on a thing. A retry is a new execution record of the same job and thing with the
 * next `executionNumber`; the old one keeps its terminal status (the history ListJobExecutions shows).
 * Times are epoch milliseconds here; the wire formats convert them (epoch seconds).
 */
import type { JobExecutionStatus, JobStatus } from '@fleet/core';

export type TargetSelection = 'SNAPSHOT' | 'CONTINUOUS';
export type RetryFailureType = 'FAILED' | 'TIMED_OUT' | 'ALL';
export type AbortFailureType = 'FAILED' | 'REJECTED' | 'TIMED_OUT' | 'ALL';

export interface RetryCriteria {
  readonly failureType: RetryFailureType;
  readonly numberOfRetries: number;
}

export interface AbortCriteria {
  readonly failureType: AbortFailureType;
  readonly action: 'CANCEL';
  readonly thresholdPercentage: number;
  readonly minNumberOfExecutedThings: number;
}

export interface JobRecord {
  readonly jobId: string;
  readonly jobArn: string;
  readonly description?: string;
  /** The job document, as CreateJob received it (JSON text). */
  readonly document: string;
  /** Thing and thing-group ARNs. */
  readonly targets: readonly string[];
  readonly targetSelection: TargetSelection;
  readonly inProgressTimeoutInMinutes?: number;
  readonly retryCriteria?: readonly RetryCriteria[];
  readonly abortCriteria?: readonly AbortCriteria[];
  status: JobStatus;
  forceCanceled?: boolean;
  reasonCode?: string;
  comment?: string;
  readonly createdAt: number;
  lastUpdatedAt: number;
  completedAt?: number;
}

export interface ExecutionRecord {
  readonly jobId: string;
  readonly thingName: string;
  readonly executionNumber: number;
  /** How many retries preceded this execution (0 for the first). */
  readonly retryAttempt: number;
  status: JobExecutionStatus;
  statusDetails?: Record<string, string>;
  /** Starts at 1; every change adds 1. */
  versionNumber: number;
  readonly queuedAt: number;
  startedAt?: number;
  lastUpdatedAt: number;
  forceCanceled?: boolean;
  /** While IN_PROGRESS with a timer: when the in-progress timer (CreateJob's timeoutConfig) ends. */
  inProgressDeadline?: number;
  /** While IN_PROGRESS with a timer: when it times out (the step timer, bounded by the in-progress timer). */
  timeoutAt?: number;
}

/** Identifies one execution record. */
export const executionKeyOf = (e: Pick<ExecutionRecord, 'thingName' | 'jobId' | 'executionNumber'>) =>
  `${e.thingName}!${e.jobId}!${e.executionNumber.toString().padStart(10, '0')}`;
