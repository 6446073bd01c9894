/**
 * The Jobs stand-in's state in memory (loaded from the store at start): jobs by id and the
 * executions of each thing, with the queries the operations share: a thing's latest execution of a
 * job, its pending executions in AWS's order, its next pending execution.
 */
import { isTerminalExecutionStatus } from '@fleet/core';
import type { ExecutionRecord, JobRecord } from './job-records.ts';

export interface JobState {
  readonly jobs: Map<string, JobRecord>;
  /** thingName → jobId → executions by executionNumber (the last is the current one). */
  readonly executions: Map<string, Map<string, ExecutionRecord[]>>;
}

export function createJobState(loaded: { jobs: readonly JobRecord[]; executions: readonly ExecutionRecord[] }): JobState {
  const state: JobState = { jobs: new Map(loaded.jobs.map((j) => [j.jobId, j])), executions: new Map() };
  const sorted = [...loaded.executions].sort((a, b) => a.executionNumber - b.executionNumber);
  for (const execution of sorted) addExecution(state, execution);
  return state;
}

export function addExecution(state: JobState, execution: ExecutionRecord): void {
  let byJob = state.executions.get(execution.thingName);
  if (!byJob) state.executions.set(execution.thingName, (byJob = new Map()));
  const list = byJob.get(execution.jobId);
  if (list) list.push(execution);
  else byJob.set(execution.jobId, [execution]);
}

/** Forgets every execution of a job (DeleteJob); returns them. */
export function removeExecutionsOfJob(state: JobState, jobId: string): ExecutionRecord[] {
  const removed: ExecutionRecord[] = [];
  for (const byJob of state.executions.values()) {
    removed.push(...(byJob.get(jobId) ?? []));
    byJob.delete(jobId);
  }
  return removed;
}

/** The thing's current execution of the job, or a given one by its number. */
export function executionOf(state: JobState, thingName: string, jobId: string, executionNumber?: number): ExecutionRecord | undefined {
  const list = state.executions.get(thingName)?.get(jobId);
  if (!list) return undefined;
  return executionNumber === undefined ? list.at(-1) : list.find((e) => e.executionNumber === executionNumber);
}

/** Every execution of a thing (history included), oldest first. */
export function executionsOfThing(state: JobState, thingName: string): ExecutionRecord[] {
  return [...(state.executions.get(thingName)?.values() ?? [])].flat().sort(byQueueOrder);
}

/** The current execution of the job on each thing that has one. */
export function currentExecutionsOfJob(state: JobState, jobId: string): ExecutionRecord[] {
  const current: ExecutionRecord[] = [];
  for (const byJob of state.executions.values()) {
    const last = byJob.get(jobId)?.at(-1);
    if (last) current.push(last);
  }
  return current.sort((a, b) => a.thingName.localeCompare(b.thingName));
}

/** Every execution of the job, history included. */
export function allExecutionsOfJob(state: JobState, jobId: string): ExecutionRecord[] {
  return [...state.executions.values()].flatMap((byJob) => byJob.get(jobId) ?? []).sort(byQueueOrder);
}

const byQueueOrder = (a: ExecutionRecord, b: ExecutionRecord) =>
  a.queuedAt - b.queuedAt || a.jobId.localeCompare(b.jobId) || a.executionNumber - b.executionNumber;

/** A thing's pending executions, IN_PROGRESS first, then QUEUED, each by the time they were queued (AWS's order). */
export function pendingExecutionsOf(state: JobState, thingName: string): ExecutionRecord[] {
  const current = [...(state.executions.get(thingName)?.values() ?? [])]
    .map((list) => list.at(-1))
    .filter((e): e is ExecutionRecord => e !== undefined && !isTerminalExecutionStatus(e.status));
  const rank = (e: ExecutionRecord) => (e.status === 'IN_PROGRESS' ? 0 : 1);
  return current.sort((a, b) => rank(a) - rank(b) || byQueueOrder(a, b));
}

/** The execution DescribeJobExecution `$next` and StartNextPendingJobExecution act on. */
export const nextExecutionOf = (state: JobState, thingName: string): ExecutionRecord | undefined =>
  pendingExecutionsOf(state, thingName)[0];

/** Every IN_PROGRESS execution with a timer. */
export function timedExecutions(state: JobState): ExecutionRecord[] {
  const timed: ExecutionRecord[] = [];
  for (const byJob of state.executions.values()) {
    for (const list of byJob.values()) {
      const last = list.at(-1);
      if (last?.status === 'IN_PROGRESS' && last.timeoutAt !== undefined) timed.push(last);
    }
  }
  return timed;
}
