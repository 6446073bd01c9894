/**
 * What the Jobs operations share (as the registry's modules share a RegistryContext): the state in
 * memory, the registry (things and groups), the clock, and the transaction an operation records its
 * changes in. An operation checks everything first, then changes the records in memory in one
 * synchronous step and lists them in the transaction; the engine persists the transaction (fsync)
 * before the operation's answer goes out, then tells the devices whose pending executions changed.
 */
import type { IotRegistry } from '../registry/iot-registry.ts';
import type { JobOperation } from './job-events.ts';
import type { ExecutionRecord, JobRecord } from './job-records.ts';
import type { JobState } from './job-state.ts';

export interface Transaction {
  readonly jobs: Set<JobRecord>;
  readonly executions: Set<ExecutionRecord>;
  readonly deletedJobs: Set<string>;
  readonly deletedExecutions: ExecutionRecord[];
  /** Call before changing a thing's executions: its notifications compare before and after. */
  touch(thingName: string): void;
  /** Executions that reached a terminal status (JOB_EXECUTION events). */
  readonly ended: ExecutionRecord[];
  /** Jobs that were completed, canceled or deleted (JOB events). */
  readonly jobEvents: { readonly job: JobRecord; readonly operation: JobOperation }[];
}

export interface JobsContext {
  readonly state: JobState;
  readonly registry: IotRegistry;
  /** Epoch ms (injectable for timeout tests). */
  readonly now: () => number;
}
