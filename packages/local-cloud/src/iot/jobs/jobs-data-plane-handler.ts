/**
 * The AWS IoT Jobs data plane over HTTPS (signing name `iot-jobs-data`, restJson1, as
 * `@aws-sdk/client-iot-jobs-data-plane` calls it): GetPendingJobExecutions,
 * StartNextPendingJobExecution, DescribeJobExecution and UpdateJobExecution, the same operations
 * devices call over MQTT (job-device-operations.ts). The MQTT API's error codes become the data
 * plane's exceptions; VersionMismatch, which has none of its own over HTTPS, is answered as
 * InvalidStateTransitionException (409).
 */
import type { JobsErrorCode } from '@fleet/core';
import { AwsError, type AwsServiceHandler } from '../../aws-endpoint/index.ts';
import { boolParam, intParam, restJsonHandler, type RestRequest } from '../control-plane/rest-json.ts';
import {
  describeJobExecution,
  getPendingJobExecutions,
  JobsRejection,
  startNextPendingJobExecution,
  updateJobExecution,
} from './job-device-operations.ts';
import type { JobsEngine } from './jobs-engine.ts';

const httpErrors: Record<JobsErrorCode, [string, number]> = {
  InvalidTopic: ['InvalidRequestException', 400],
  InvalidJson: ['InvalidRequestException', 400],
  InvalidRequest: ['InvalidRequestException', 400],
  InvalidStateTransition: ['InvalidStateTransitionException', 409],
  VersionMismatch: ['InvalidStateTransitionException', 409],
  ResourceNotFound: ['ResourceNotFoundException', 404],
  TerminalStateReached: ['TerminalStateException', 410],
  RequestThrottled: ['ThrottlingException', 429],
  InternalError: ['InternalServerException', 500],
};

/** Runs a device operation and turns its rejection into the data plane's exception. */
async function answer<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (!(err instanceof JobsRejection)) throw err;
    const [code, status] = httpErrors[err.code];
    throw new AwsError(code, err.message, status);
  }
}

export function createJobsDataPlaneHandler(engine: JobsEngine): AwsServiceHandler {
  const thing = (req: RestRequest) => req.labels.thingName as string;
  return restJsonHandler({
    service: 'iot-jobs-data',
    routes: [
      {
        method: 'GET',
        path: '/things/{thingName}/jobs',
        operation: (req) => answer(() => engine.read((context) => getPendingJobExecutions(context, thing(req)))),
      },
      {
        method: 'PUT',
        path: '/things/{thingName}/jobs/{jobId}',
        operation: (req) =>
          answer(async () => {
            if (req.labels.jobId !== '$next') throw new JobsRejection('InvalidRequest', 'Only /things/{thingName}/jobs/$next accepts PUT');
            const input = req.json();
            return engine.run((context, tx) => startNextPendingJobExecution(context, tx, thing(req), input));
          }),
      },
      {
        method: 'GET',
        path: '/things/{thingName}/jobs/{jobId}',
        operation: (req) =>
          answer(() => {
            const executionNumber = intParam(req.query, 'executionNumber');
            const includeJobDocument = boolParam(req.query, 'includeJobDocument');
            const input = {
              ...(executionNumber !== undefined ? { executionNumber } : {}),
              ...(includeJobDocument !== undefined ? { includeJobDocument } : {}),
            };
            return engine.read((context) => describeJobExecution(context, thing(req), req.labels.jobId as string, input));
          }),
      },
      {
        method: 'POST',
        path: '/things/{thingName}/jobs/{jobId}',
        operation: (req) =>
          answer(async () => {
            const input = req.json();
            return engine.run((context, tx) => updateJobExecution(context, tx, thing(req), req.labels.jobId as string, input));
          }),
      },
    ],
  });
}
