/**
 * What one request to the local AWS endpoint asks IAM for: each action on each resource ARN,
 * with the request's condition keys. A request may need several (a batch over two tables, a copy
 * reads one object and writes another); all must be allowed, as on AWS.
 */
import type { AwsRequest } from '../aws-endpoint/aws-request.ts';
import { iotAccess } from './iot-access.ts';
import { jsonServiceAccess } from './json-service-access.ts';
import type { LocalArns } from './local-arns.ts';
import { s3Access } from './s3-access.ts';
import { snsAccess } from './sns-access.ts';

export interface AccessCheck {
  readonly action: string;
  readonly resource: string;
  /** Condition keys of the request (e.g. `s3:prefix`). */
  readonly context?: Readonly<Record<string, string>>;
}

export function accessChecks(req: AwsRequest, arns: LocalArns): readonly AccessCheck[] {
  switch (req.service) {
    case 's3':
      return s3Access(req, arns);
    case 'iot':
    case 'iotdata':
    case 'iot-jobs-data':
      return iotAccess(req, arns);
    case 'sns':
      return snsAccess(req, arns);
    default:
      return jsonServiceAccess(req, arns);
  }
}

/** The JSON body of a request when it is an object, else an empty one (the handler answers the bad body). */
export function jsonObjectBody(req: AwsRequest): Record<string, unknown> {
  if (req.body.length === 0) return {};
  try {
    const parsed: unknown = JSON.parse(req.body.toString('utf8'));
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export const stringField = (input: Record<string, unknown>, name: string): string | undefined =>
  Object.hasOwn(input, name) && typeof input[name] === 'string' ? input[name] : undefined;
