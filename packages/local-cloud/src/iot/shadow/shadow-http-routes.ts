/**
 * The Device Shadow REST API of the AWS IoT data plane (`iotdata`), as `@aws-sdk/client-iot-data-plane`
 * and `aws iot-data` call it: GetThingShadow, UpdateThingShadow, DeleteThingShadow
 * (`/things/{thingName}/shadow?name=<shadow>`, no name = the classic shadow) and
 * ListNamedShadowsForThing. The shadow documents are the HTTP bodies; a refused request answers
 * its HTTP code with the exception the SDK models for it, and publishes nothing ("If the client
 * updates the document using the REST API, then it receives the HTTP error code ... and no MQTT
 * error messages are emitted").
 */
import { shadowLimits, shadowNamePattern, shadowThingNamePattern, type ShadowErrorCode } from '@fleet/core';
import { AwsError } from '../../aws-endpoint/index.ts';
import { intParam, paginate, type RestRoute } from '../control-plane/rest-json.ts';
import { isRejection, parseUpdateRequest, type ShadowRejection } from './shadow-request.ts';
import type { ShadowService } from './shadow-service.ts';

/** The exception of `@aws-sdk/client-iot-data-plane` for each shadow error code. */
const exceptionOf: Readonly<Record<ShadowErrorCode, string>> = {
  400: 'InvalidRequestException',
  401: 'UnauthorizedException',
  403: 'UnauthorizedException',
  404: 'ResourceNotFoundException',
  409: 'ConflictException',
  413: 'RequestEntityTooLargeException',
  415: 'UnsupportedDocumentEncodingException',
  429: 'ThrottlingException',
  500: 'InternalFailureException',
};

const toAwsError = (rejection: ShadowRejection) => new AwsError(exceptionOf[rejection.code], rejection.message, rejection.code);

function thingNameOf(labels: Readonly<Record<string, string>>): string {
  const thingName = labels.thingName ?? '';
  if (!shadowThingNamePattern.test(thingName)) {
    throw new AwsError('InvalidRequestException', `thingName "${thingName}" must match [a-zA-Z0-9:_-]{1,128}`, 400);
  }
  return thingName;
}

function shadowNameOf(query: URLSearchParams): string | undefined {
  const name = query.get('name');
  if (name === null) return undefined;
  if (!shadowNamePattern.test(name))
    throw new AwsError('InvalidRequestException', `shadowName "${name}" must match [$a-zA-Z0-9:_-]{1,64}`, 400);
  return name;
}

/** Answers a document, or throws the AWS error of a rejection. */
function orThrow<T>(result: T | ShadowRejection): T {
  if (isRejection(result)) throw toAwsError(result);
  return result;
}

export function shadowRoutes(service: ShadowService, now: () => number = Date.now): RestRoute[] {
  return [
    {
      method: 'GET',
      path: '/things/{thingName}/shadow',
      operation: async (req) => orThrow(await service.get(thingNameOf(req.labels), shadowNameOf(req.query))),
    },
    {
      method: 'POST',
      path: '/things/{thingName}/shadow',
      operation: async (req) => {
        const thingName = thingNameOf(req.labels);
        const shadowName = shadowNameOf(req.query);
        const request = orThrow(parseUpdateRequest(req.body));
        return orThrow(await service.update(thingName, shadowName, request));
      },
    },
    {
      method: 'DELETE',
      path: '/things/{thingName}/shadow',
      operation: async (req) => orThrow(await service.delete(thingNameOf(req.labels), shadowNameOf(req.query))),
    },
    {
      method: 'GET',
      path: '/api/things/shadow/ListNamedShadowsForThing/{thingName}',
      operation: async (req) => {
        const names = await service.listNamed(thingNameOf(req.labels));
        const { page, next } = paginate(names, req.query.get('nextToken'), intParam(req.query, 'pageSize'), shadowLimits.maxListPageSize);
        return { results: page, ...(next ? { nextToken: next } : {}), timestamp: Math.floor(now() / 1000) };
      },
    },
  ];
}
