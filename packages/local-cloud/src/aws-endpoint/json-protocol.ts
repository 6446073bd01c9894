/**
 * AWS JSON 1.0 / 1.1 protocol (`X-Amz-Target: Prefix.Operation`, JSON body): used by DynamoDB,
 * SQS (JSON), Cognito, CloudWatch Logs and CloudWatch. Errors answer `{ __type, message }` with
 * `x-amzn-ErrorType`, which the SDK maps to exception classes.
 */
import type { AwsResponse, AwsServiceHandler } from './aws-request.ts';
import { AwsError, notImplemented } from './aws-error.ts';

export type JsonOperation = (input: Record<string, unknown>, context: { accessKeyId?: string }) => Promise<unknown>;

export interface JsonProtocolOptions {
  /** Service name used in messages. */
  readonly service: string;
  readonly operations: Readonly<Record<string, JsonOperation>>;
  /** `application/x-amz-json-1.0` or `-1.1`. */
  readonly contentType?: string;
}

export function jsonProtocolHandler(options: JsonProtocolOptions): AwsServiceHandler {
  const contentType = options.contentType ?? 'application/x-amz-json-1.1';
  return async (req) => {
    const operation = req.operation ?? '';
    const run = options.operations[operation];
    try {
      if (!run) throw notImplemented(options.service, operation);
      let input: Record<string, unknown> = {};
      if (req.body.length > 0) {
        try {
          input = JSON.parse(req.body.toString('utf8')) as Record<string, unknown>;
        } catch {
          throw new AwsError('SerializationException', 'Request body is not valid JSON');
        }
      }
      const output = await run(input, { accessKeyId: req.accessKeyId });
      return { status: 200, headers: { 'content-type': contentType }, body: JSON.stringify(output ?? {}) };
    } catch (err) {
      return jsonError(err, contentType);
    }
  };
}

export function jsonError(err: unknown, contentType = 'application/x-amz-json-1.1'): AwsResponse {
  const error =
    err instanceof AwsError ? err : new AwsError('InternalFailure', `Internal error: ${(err as Error).message ?? String(err)}`, 500);
  return {
    status: error.status,
    headers: { 'content-type': contentType, 'x-amzn-errortype': error.code, ...error.extra },
    body: JSON.stringify({ __type: error.code, message: error.message }),
  };
}
