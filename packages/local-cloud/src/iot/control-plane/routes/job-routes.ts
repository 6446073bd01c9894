/**
 * Control-plane routes of AWS IoT Jobs (restJson1 paths of `@aws-sdk/client-iot`): CreateJob,
 * DescribeJob, GetJobDocument, ListJobs, CancelJob, DeleteJob, DescribeJobExecution, ListJobExecutionsForThing,
 * ListJobExecutionsForJob and CancelJobExecution. Shapes follow the AWS IoT API reference; the
 * Jobs engine (iot/jobs/) decides and makes each change durable before the answer.
 */
import { jobExecutionStatuses, jobStatuses, statusDetailsProblem } from '@fleet/core';
import { readCreateJobInput } from '../../jobs/create-job-input.ts';
import { cancelJob, cancelJobExecution, createJob, deleteJob, notFound, requireJob } from '../../jobs/job-control-operations.ts';
import { allExecutionsOfJob, executionOf, executionsOfThing, currentExecutionsOfJob } from '../../jobs/job-state.ts';
import { controlExecution, controlExecutionSummary, controlJob, controlJobSummary } from '../../jobs/job-views.ts';
import type { JobsEngine } from '../../jobs/jobs-engine.ts';
import { invalid } from '../../registry/registry-context.ts';
import { boolParam, intParam, paginate, type RestRoute } from '../rest-json.ts';

/** AWS: ListJobs and the execution lists page up to 250. */
const maxPage = 250;

function statusFilter<T extends string>(query: URLSearchParams, name: string, allowed: readonly T[]): T | undefined {
  const value = query.get(name);
  if (value === null) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw invalid(`${name} must be one of ${allowed.join(', ')}; received ${value}`);
  return value as T;
}

export function jobRoutes(engine: JobsEngine): RestRoute[] {
  const thingArn = (thingName: string) => engine.context.registry.arn('thing', thingName);
  return [
    {
      method: 'PUT',
      path: '/jobs/{jobId}',
      operation: async (req) => {
        const input = readCreateJobInput(req.labels.jobId as string, req.json());
        const job = await engine.run((context, tx) => createJob(context, tx, input));
        return { jobArn: job.jobArn, jobId: job.jobId, ...(job.description !== undefined ? { description: job.description } : {}) };
      },
    },
    {
      method: 'GET',
      path: '/jobs/{jobId}',
      operation: (req) =>
        engine.read((context) => {
          const job = requireJob(context, req.labels.jobId as string);
          return { job: controlJob(job, currentExecutionsOfJob(context.state, job.jobId)) };
        }),
    },
    {
      method: 'GET',
      path: '/jobs/{jobId}/job-document',
      operation: (req) => engine.read((context) => ({ document: requireJob(context, req.labels.jobId as string).document })),
    },
    {
      method: 'GET',
      path: '/jobs',
      operation: (req) =>
        engine.read((context) => {
          const status = statusFilter(req.query, 'status', jobStatuses);
          const selection = statusFilter(req.query, 'targetSelection', ['SNAPSHOT', 'CONTINUOUS'] as const);
          const group = req.query.get('thingGroupName');
          const groupArn = group === null ? undefined : context.registry.arn('thinggroup', group);
          const jobs = [...context.state.jobs.values()]
            .filter((j) => status === undefined || j.status === status)
            .filter((j) => selection === undefined || j.targetSelection === selection)
            .filter((j) => groupArn === undefined || j.targets.includes(groupArn))
            .sort((a, b) => b.createdAt - a.createdAt || a.jobId.localeCompare(b.jobId));
          const { page, next } = paginate(jobs, req.query.get('nextToken'), intParam(req.query, 'maxResults'), maxPage);
          return { jobs: page.map(controlJobSummary), ...(next ? { nextToken: next } : {}) };
        }),
    },
    {
      method: 'PUT',
      path: '/jobs/{jobId}/cancel',
      operation: async (req) => {
        const body = req.json() as { reasonCode?: unknown; comment?: unknown };
        const job = await engine.run((context, tx) =>
          cancelJob(context, tx, req.labels.jobId as string, {
            force: boolParam(req.query, 'force') ?? false,
            ...(typeof body.reasonCode === 'string' ? { reasonCode: body.reasonCode } : {}),
            ...(typeof body.comment === 'string' ? { comment: body.comment } : {}),
          }),
        );
        return { jobArn: job.jobArn, jobId: job.jobId, ...(job.description !== undefined ? { description: job.description } : {}) };
      },
    },
    {
      method: 'DELETE',
      path: '/jobs/{jobId}',
      operation: async (req) => {
        await engine.run((context, tx) => deleteJob(context, tx, req.labels.jobId as string, boolParam(req.query, 'force') ?? false));
        return {};
      },
    },
    {
      method: 'GET',
      path: '/jobs/{jobId}/things',
      operation: (req) =>
        engine.read((context) => {
          const job = requireJob(context, req.labels.jobId as string);
          const status = statusFilter(req.query, 'status', jobExecutionStatuses);
          const executions = allExecutionsOfJob(context.state, job.jobId).filter((e) => status === undefined || e.status === status);
          const { page, next } = paginate(executions, req.query.get('nextToken'), intParam(req.query, 'maxResults'), maxPage);
          return {
            executionSummaries: page.map((e) => ({ thingArn: thingArn(e.thingName), jobExecutionSummary: controlExecutionSummary(e) })),
            ...(next ? { nextToken: next } : {}),
          };
        }),
    },
    {
      method: 'GET',
      path: '/things/{thingName}/jobs/{jobId}',
      operation: (req) =>
        engine.read((context) => {
          const { thingName = '', jobId = '' } = req.labels;
          const execution = executionOf(context.state, thingName, jobId, intParam(req.query, 'executionNumber'));
          if (!execution) throw notFound(`No job execution of job ${jobId} on thing ${thingName}`);
          return { execution: controlExecution(execution, thingArn(thingName), context.now()) };
        }),
    },
    {
      method: 'GET',
      path: '/things/{thingName}/jobs',
      operation: (req) =>
        engine.read((context) => {
          const thingName = req.labels.thingName as string;
          const status = statusFilter(req.query, 'status', jobExecutionStatuses);
          const jobId = req.query.get('jobId');
          const executions = executionsOfThing(context.state, thingName)
            .filter((e) => status === undefined || e.status === status)
            .filter((e) => jobId === null || e.jobId === jobId);
          const { page, next } = paginate(executions, req.query.get('nextToken'), intParam(req.query, 'maxResults'), maxPage);
          return {
            executionSummaries: page.map((e) => ({ jobId: e.jobId, jobExecutionSummary: controlExecutionSummary(e) })),
            ...(next ? { nextToken: next } : {}),
          };
        }),
    },
    {
      method: 'PUT',
      path: '/things/{thingName}/jobs/{jobId}/cancel',
      operation: async (req) => {
        const body = req.json() as { expectedVersion?: unknown; statusDetails?: unknown };
        if (body.expectedVersion !== undefined && !Number.isInteger(body.expectedVersion))
          throw invalid('expectedVersion must be an integer');
        const problem = body.statusDetails === undefined ? undefined : statusDetailsProblem(body.statusDetails);
        if (problem) throw invalid(problem);
        const statusDetails = body.statusDetails as Record<string, string> | undefined;
        await engine.run((context, tx) =>
          cancelJobExecution(context, tx, req.labels.jobId as string, req.labels.thingName as string, {
            force: boolParam(req.query, 'force') ?? false,
            ...(body.expectedVersion !== undefined ? { expectedVersion: body.expectedVersion as number } : {}),
            ...(statusDetails ? { statusDetails } : {}),
          }),
        );
        return {};
      },
    },
  ];
}
