/**
 * Data jobs over HTTP at `/data` + `dataLifePaths` (the API Service relays the same paths under
 * `/api` with the caller's token): list (readDataUsage), create (the permission of the kind:
 * exportData, importData, replayArchive), read (a succeeded export carries a fresh download link),
 * and start an uploaded import. Inputs and answers are the `@fleet/core` data-jobs contract.
 */
import {
  bodyLimits,
  can,
  DataJobIdSchema,
  DataJobInputSchema,
  DataJobListQuerySchema,
  DataJobPageSchema,
  DataJobSchema,
  dataJobPermissions,
  dataLifePaths,
  errorResponses,
  type DataJob,
  type DataJobInput,
} from '@fleet/core';
import { Type } from 'typebox';
import { callerErrors, callerOf, type RequireCaller } from '../caller-check.ts';
import { AnswerError, type DataApp } from '../http/answer-error.ts';
import { exportKey } from './exporter.ts';
import { importContentTypes, importKey, uploadedBytes } from './importer.ts';
import type { JobStore } from './job-store.ts';
import { newJob } from './job-store.ts';
import type { PresignedLinks } from './presigned-links.ts';
import type { S3Client } from '@aws-sdk/client-s3';

export interface JobRoutesDeps {
  readonly caller: RequireCaller;
  readonly store: JobStore;
  readonly links: PresignedLinks;
  readonly s3: S3Client;
  readonly bucket: string;
  /** Exports of a thing group need the IoT control plane; without it they are refused. */
  readonly groupsAvailable: boolean;
  readonly now?: () => number;
}

const data = (path: string) => `/data${path}`;
const JobParams = Type.Object({ id: DataJobIdSchema });

/** Input checks the schema cannot state: a range in order, one device selection. */
function inputProblem(input: DataJobInput, groupsAvailable: boolean): string | undefined {
  if (input.kind === 'import') return undefined;
  if (input.from > input.to) return `"from" (${input.from}) is after "to" (${input.to})`;
  if (input.kind === 'export') {
    if ((input.deviceIds === undefined) === (input.groupName === undefined)) {
      return 'an export names either "deviceIds" or "groupName" (exactly one of them)';
    }
    if (input.groupName !== undefined && !groupsAvailable) return 'exports of a thing group are not available in this deployment';
  }
  return undefined;
}

export function registerJobRoutes(app: DataApp, deps: JobRoutesDeps): void {
  const { store, links } = deps;
  const now = deps.now ?? Date.now;

  /** The job as answered: a succeeded export with a fresh download link. */
  async function answer(job: DataJob): Promise<DataJob> {
    if (job.input.kind !== 'export' || job.status !== 'succeeded') return job;
    const key = exportKey(job.id, job.input.format);
    const link = await links.download(key, `fleet-export-${job.id}.${job.input.format}`);
    return { ...job, result: { ...job.result, downloadUrl: link.url, downloadExpiresAt: link.expiresAt } };
  }

  async function existing(id: string): Promise<DataJob> {
    const job = await store.get(id);
    if (!job) throw new AnswerError('JobNotFound', `No data job "${id}"`);
    return job;
  }

  app.get(
    data(dataLifePaths.jobs),
    {
      onRequest: deps.caller('readDataUsage', { fleetWide: true }),
      schema: {
        querystring: DataJobListQuerySchema,
        response: { 200: DataJobPageSchema, ...errorResponses(...callerErrors, 'ValidationError') },
      },
    },
    async (request) => {
      const { kind, limit = 20, nextToken } = request.query;
      const page = await store.list({ limit, ...(kind ? { kind } : {}), ...(nextToken === undefined ? {} : { nextToken }) });
      if ('invalidToken' in page)
        throw new AnswerError('ValidationError', `nextToken ${JSON.stringify(nextToken?.slice(0, 64))} is not one this service returned`);
      return page;
    },
  );

  app.post(
    data(dataLifePaths.jobs),
    {
      bodyLimit: bodyLimits.api,
      // Every kind needs at least an operator; the kind's own permission is checked once the body is read.
      onRequest: deps.caller('readDataUsage', { fleetWide: true }),
      schema: { body: DataJobInputSchema, response: { 201: DataJobSchema, ...errorResponses(...callerErrors, 'ValidationError') } },
    },
    async (request, reply) => {
      const input = request.body;
      const caller = callerOf(request);
      const permission = dataJobPermissions[input.kind];
      if (!can(caller.role, permission)) {
        throw new AnswerError(
          'Forbidden',
          `A ${input.kind} job needs the ${permission} permission; the role ${caller.role} does not have it`,
        );
      }
      const problem = inputProblem(input, deps.groupsAvailable);
      if (problem) throw new AnswerError('ValidationError', problem);
      let job = newJob(input, caller.username, now());
      if (input.kind === 'import') {
        const upload = await links.upload(importKey(job.id, input.format), importContentTypes[input.format]);
        job = { ...job, upload };
      }
      await store.create(job);
      return reply.code(201).send(job);
    },
  );

  app.get(
    data(dataLifePaths.job),
    {
      onRequest: deps.caller('readDataUsage', { fleetWide: true }),
      schema: { params: JobParams, response: { 200: DataJobSchema, ...errorResponses(...callerErrors, 'ValidationError', 'JobNotFound') } },
    },
    async (request) => answer(await existing(request.params.id)),
  );

  app.post(
    data(dataLifePaths.startJob),
    {
      onRequest: deps.caller('importData', { fleetWide: true }),
      schema: {
        params: JobParams,
        response: { 200: DataJobSchema, ...errorResponses(...callerErrors, 'ValidationError', 'JobNotFound', 'JobStateConflict') },
      },
    },
    async (request) => {
      const job = await existing(request.params.id);
      if (job.input.kind !== 'import' || job.status !== 'awaiting-upload') {
        throw new AnswerError(
          'JobStateConflict',
          `Data job "${job.id}" is a ${job.input.kind} job in state ${job.status}; only an import awaiting its upload can be started`,
        );
      }
      const bytes = await uploadedBytes(deps.s3, deps.bucket, importKey(job.id, job.input.format));
      if (bytes === undefined)
        throw new AnswerError('ValidationError', `No file was uploaded for import "${job.id}": PUT it to the job's upload URL first`);
      if (bytes > job.input.bytes) {
        throw new AnswerError('ValidationError', `The uploaded file is ${bytes} bytes, the import declared ${job.input.bytes}`);
      }
      if (!(await store.queue(job.id))) throw new AnswerError('JobStateConflict', `Data job "${job.id}" was started already`);
      return existing(job.id);
    },
  );
}
