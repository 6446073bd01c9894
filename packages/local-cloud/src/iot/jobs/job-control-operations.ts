/**
 * The Jobs control plane (`@aws-sdk/client-iot`): CreateJob, CancelJob, DeleteJob,
 * CancelJobExecution and the continuous jobs' reaction to group membership, with the errors of the
 * AWS IoT API reference (ResourceAlreadyExistsException, ResourceNotFoundException,
 * InvalidStateTransitionException, VersionConflictException, InvalidRequestException). Each
 * operation checks first and then changes memory in one synchronous step (jobs-context.ts); the
 * engine makes the change durable before answering.
 */
import { isTerminalExecutionStatus } from '@fleet/core';
import { AwsError } from '../../aws-endpoint/index.ts';
import type { CreateJobInput } from './create-job-input.ts';
import { completeIfDone, queueExecution, transition } from './execution-lifecycle.ts';
import type { JobRecord } from './job-records.ts';
import { currentExecutionsOfJob, executionOf, removeExecutionsOfJob } from './job-state.ts';
import type { JobsContext, Transaction } from './jobs-context.ts';

export const notFound = (message: string) => new AwsError('ResourceNotFoundException', message, 404);
const invalid = (message: string) => new AwsError('InvalidRequestException', message, 400);
const illegalState = (message: string) => new AwsError('InvalidStateTransitionException', message, 409);

export function requireJob(context: JobsContext, jobId: string): JobRecord {
  const job = context.state.jobs.get(jobId);
  if (!job) throw notFound(`Job ${jobId} does not exist`);
  return job;
}

type Target = { readonly kind: 'thing' | 'thinggroup'; readonly name: string };

/** A target ARN of this account: `...:thing/<name>` or `...:thinggroup/<name>`, which must exist. */
function readTarget(context: JobsContext, arn: string): Target {
  for (const kind of ['thing', 'thinggroup'] as const) {
    const prefix = context.registry.arn(kind, '');
    if (!arn.startsWith(prefix)) continue;
    const name = arn.slice(prefix.length);
    if (kind === 'thing') context.registry.describeThing(name);
    else context.registry.describeThingGroup(name);
    return { kind, name };
  }
  throw invalid(`Target ${arn} is not the ARN of a thing or a thing group of this account`);
}

/** The things a job targets now: its things, and the things of its groups and their child groups. */
function thingsOfTargets(context: JobsContext, targets: readonly Target[]): string[] {
  const names = new Set<string>();
  for (const target of targets) {
    if (target.kind === 'thing') names.add(target.name);
    else for (const thing of context.registry.listThingsInThingGroup(target.name, true)) names.add(thing);
  }
  return [...names].sort();
}

export function createJob(context: JobsContext, tx: Transaction, input: CreateJobInput): JobRecord {
  if (context.state.jobs.has(input.jobId)) {
    throw new AwsError('ResourceAlreadyExistsException', `Job with id ${input.jobId} already exists`, 409, {});
  }
  const targets = input.targets.map((arn) => readTarget(context, arn));
  const now = context.now();
  const job: JobRecord = {
    jobId: input.jobId,
    jobArn: context.registry.arn('job', input.jobId),
    ...(input.description !== undefined ? { description: input.description } : {}),
    document: input.document,
    targets: input.targets,
    targetSelection: input.targetSelection,
    ...(input.inProgressTimeoutInMinutes !== undefined ? { inProgressTimeoutInMinutes: input.inProgressTimeoutInMinutes } : {}),
    ...(input.retryCriteria ? { retryCriteria: input.retryCriteria } : {}),
    ...(input.abortCriteria ? { abortCriteria: input.abortCriteria } : {}),
    status: 'IN_PROGRESS',
    createdAt: now,
    lastUpdatedAt: now,
  };
  context.state.jobs.set(job.jobId, job);
  tx.jobs.add(job);
  for (const thingName of thingsOfTargets(context, targets)) queueExecution(context, tx, job, thingName);
  // A snapshot of groups without things has nothing to do.
  completeIfDone(context, tx, job);
  return job;
}

export interface CancelJobInput {
  readonly force: boolean;
  readonly reasonCode?: string;
  readonly comment?: string;
}

/** CancelJob: QUEUED executions are canceled; IN_PROGRESS ones only with `force`. */
export function cancelJob(context: JobsContext, tx: Transaction, jobId: string, input: CancelJobInput): JobRecord {
  const job = requireJob(context, jobId);
  if (job.status === 'COMPLETED' || job.status === 'DELETION_IN_PROGRESS') {
    throw illegalState(`Job ${jobId} is ${job.status} and cannot be canceled`);
  }
  if (job.status === 'CANCELED' && !input.force) throw illegalState(`Job ${jobId} is already canceled`);
  job.status = 'CANCELED';
  if (input.force) job.forceCanceled = true;
  if (input.reasonCode !== undefined) job.reasonCode = input.reasonCode;
  if (input.comment !== undefined) job.comment = input.comment;
  job.lastUpdatedAt = context.now();
  tx.jobs.add(job);
  tx.jobEvents.push({ job, operation: 'canceled' });
  for (const execution of currentExecutionsOfJob(context.state, jobId)) {
    if (execution.status === 'QUEUED' || (execution.status === 'IN_PROGRESS' && input.force)) {
      transition(context, tx, execution, 'CANCELED', 'service', { forceCanceled: execution.status === 'IN_PROGRESS' });
    }
  }
  return job;
}

/** DeleteJob: an IN_PROGRESS job only with `force`; the job and all its executions go. */
export function deleteJob(context: JobsContext, tx: Transaction, jobId: string, force: boolean): void {
  const job = requireJob(context, jobId);
  const running = currentExecutionsOfJob(context.state, jobId).some((e) => e.status === 'IN_PROGRESS');
  if ((job.status === 'IN_PROGRESS' || running) && !force) {
    throw illegalState(
      `Job ${jobId} is ${job.status === 'IN_PROGRESS' ? 'IN_PROGRESS' : 'still running on devices'}; delete it with force`,
    );
  }
  // Before the removal: the devices with a pending execution of the job are told it is gone.
  for (const execution of currentExecutionsOfJob(context.state, jobId)) tx.touch(execution.thingName);
  for (const execution of removeExecutionsOfJob(context.state, jobId)) {
    tx.executions.delete(execution);
    tx.deletedExecutions.push(execution);
  }
  context.state.jobs.delete(jobId);
  tx.jobs.delete(job);
  tx.deletedJobs.add(jobId);
  tx.jobEvents.push({ job, operation: 'deleted' });
}

export interface CancelJobExecutionInput {
  readonly force: boolean;
  readonly expectedVersion?: number;
  readonly statusDetails?: Record<string, string>;
}

export function cancelJobExecution(
  context: JobsContext,
  tx: Transaction,
  jobId: string,
  thingName: string,
  input: CancelJobExecutionInput,
): void {
  requireJob(context, jobId);
  const execution = executionOf(context.state, thingName, jobId);
  if (!execution) throw notFound(`No job execution of job ${jobId} on thing ${thingName}`);
  if (isTerminalExecutionStatus(execution.status)) {
    throw illegalState(`The job execution of job ${jobId} on thing ${thingName} is ${execution.status}, a terminal status`);
  }
  if (execution.status === 'IN_PROGRESS' && !input.force) {
    throw illegalState(`The job execution of job ${jobId} on thing ${thingName} is IN_PROGRESS; cancel it with force`);
  }
  if (input.expectedVersion !== undefined && input.expectedVersion !== execution.versionNumber) {
    throw new AwsError(
      'VersionConflictException',
      `The expected version ${input.expectedVersion} does not match the job execution's version ${execution.versionNumber}`,
      409,
    );
  }
  transition(context, tx, execution, 'CANCELED', 'service', {
    ...(input.statusDetails ? { statusDetails: input.statusDetails } : {}),
    forceCanceled: execution.status === 'IN_PROGRESS',
  });
}

/**
 * A thing joined or left a group: each IN_PROGRESS continuous job targeting the group (or one of
 * its ancestors) queues an execution for a thing that joined, unless it has one that is pending or
 * done; a thing that is no longer a target of the job has its pending execution REMOVED.
 */
export function followMembership(context: JobsContext, tx: Transaction, thingName: string): void {
  for (const job of context.state.jobs.values()) {
    if (job.targetSelection !== 'CONTINUOUS' || job.status !== 'IN_PROGRESS') continue;
    const targeted = thingsOfTargets(
      context,
      job.targets.map((arn) => readTargetOrUndefined(context, arn)).filter((t) => t !== undefined),
    );
    const current = executionOf(context.state, thingName, job.jobId);
    if (targeted.includes(thingName)) {
      if (!current || current.status === 'REMOVED') queueExecution(context, tx, job, thingName);
    } else if (current && !isTerminalExecutionStatus(current.status)) {
      transition(context, tx, current, 'REMOVED', 'service');
    }
  }
}

/** A target that may have been deleted since the job was created counts for nothing. */
function readTargetOrUndefined(context: JobsContext, arn: string): Target | undefined {
  try {
    return readTarget(context, arn);
  } catch {
    return undefined;
  }
}
