/**
 * Errors of the two CloudWatch APIs, shaped as the installed SDK reads them.
 *
 * CloudWatch (GraniteServiceVersion20100801) is served on AWS JSON 1.0 with the
 * `awsQueryCompatible` trait: besides `__type`, AWS sends `x-amzn-query-error: <query code>;Sender`
 * and SDK v3 picks the exception class from that code (e.g. `InvalidParameterValue` →
 * `InvalidParameterValueException`). The codes are the `awsQueryError` traits of the model shipped
 * in @aws-sdk/client-cloudwatch. CloudWatch Logs (AWS JSON 1.1) uses plain `__type` names.
 */
import { AwsError } from '../aws-endpoint/index.ts';

/** CloudWatch JSON error name → [query-compatible code, HTTP status]. */
const metricErrorCodes = {
  InvalidParameterValueException: ['InvalidParameterValue', 400],
  InvalidParameterCombinationException: ['InvalidParameterCombination', 400],
  MissingRequiredParameterException: ['MissingParameter', 400],
  ResourceNotFound: ['ResourceNotFound', 404],
  InvalidNextToken: ['InvalidNextToken', 400],
  LimitExceededFault: ['LimitExceeded', 400],
} as const satisfies Record<string, readonly [string, number]>;

export type MetricErrorName = keyof typeof metricErrorCodes;

/** An error of the CloudWatch (metrics and alarms) API. */
export function metricError(name: MetricErrorName, message: string): AwsError {
  const [queryCode, status] = metricErrorCodes[name];
  return new AwsError(`com.amazonaws.cloudwatch#${name}`, message, status, { 'x-amzn-query-error': `${queryCode};Sender` });
}

export const invalidMetricParameter = (message: string) => metricError('InvalidParameterValueException', message);
export const missingMetricParameter = (name: string) =>
  metricError('MissingRequiredParameterException', `The parameter ${name} is required.`);

export type LogsErrorName =
  'InvalidParameterException' | 'ResourceNotFoundException' | 'ResourceAlreadyExistsException' | 'LimitExceededException';

/** An error of the CloudWatch Logs API. */
export function logsError(name: LogsErrorName, message: string): AwsError {
  return new AwsError(name, message, 400);
}
