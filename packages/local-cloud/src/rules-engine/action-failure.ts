/**
 * The AWS IoT error-action message
 * (https://docs.aws.amazon.com/iot/latest/developerguide/rule-error-handling.html): one per rule and
 * message, listing every failed action.
 */
import { base64Encode, type IotMessage } from '@fleet/core';

export interface ActionFailure {
  /** AWS names: `SqsAction`, `S3Action`, `CloudwatchMetricAction`, ... */
  readonly failedAction: string;
  /** Queue URL, bucket name, log group, alarm, metric namespace or topic. */
  readonly failedResource: string;
  readonly errorMessage: string;
}

export interface ErrorActionMessage {
  readonly ruleName: string;
  readonly topic: string;
  readonly cloudwatchTraceId: string;
  readonly clientId: string;
  readonly base64OriginalPayload: string;
  readonly failures: readonly ActionFailure[];
}

export function errorActionMessage(
  ruleName: string,
  message: IotMessage,
  failures: readonly ActionFailure[],
  traceId: string,
): ErrorActionMessage {
  return {
    ruleName,
    topic: message.topic,
    cloudwatchTraceId: traceId,
    clientId: message.clientId,
    base64OriginalPayload: base64Encode(message.payload),
    failures,
  };
}

/**
 * Describes an SDK error the way AWS's error messages do:
 * "The specified bucket does not exist (Service: S3; Status Code: 404; Error Code: NoSuchBucket)".
 */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const meta = (err as { $metadata?: { httpStatusCode?: number }; $fault?: string }).$metadata;
  const service = (err as { $service?: string }).$service;
  const details = [
    service === undefined ? undefined : `Service: ${service}`,
    meta?.httpStatusCode === undefined ? undefined : `Status Code: ${meta.httpStatusCode}`,
    err.name === 'Error' ? undefined : `Error Code: ${err.name}`,
  ].filter((d) => d !== undefined);
  return details.length === 0 ? err.message : `${err.message} (${details.join('; ')})`;
}
