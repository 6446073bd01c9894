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
    // Own properties only: `__proto__`, `constructor` or `toString` are no operations.
    const run = Object.hasOwn(options.operations, operation) ? options.operations[operation] : undefined;
    try {
      if (!run) throw notImplemented(options.service, operation);
      const output = await run(parseJsonObject(req.body), { accessKeyId: req.accessKeyId });
      return { status: 200, headers: { 'content-type': contentType }, body: JSON.stringify(output ?? {}) };
    } catch (err) {
      return jsonError(err, contentType);
    }
  };
}

/**
 * The input structure of a JSON-protocol request: an empty body is `{}`; anything but a JSON
 * object (`null`, an array, a number, invalid JSON) answers SerializationException, as AWS does.
 */
export function parseJsonObject(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new AwsError('SerializationException', 'Request body is not valid JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    const received = parsed === null ? 'null' : Array.isArray(parsed) ? 'an array' : `a ${typeof parsed}`;
    throw new AwsError(
      'SerializationException',
      `Request body must be a JSON object (the operation's input structure); received ${received}`,
    );
  }
  return parsed as Record<string, unknown>;
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
