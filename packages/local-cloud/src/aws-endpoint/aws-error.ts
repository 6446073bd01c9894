/**
 * An AWS service error. `code` is the AWS error code the SDK turns into an exception class
 * (e.g. `QueueDoesNotExist`, `NotAuthorizedException`), so SDK callers catch the same names as on AWS.
 */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    /** Extra fields some protocols carry (e.g. SQS's query-compatible error code). */
    readonly extra: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'AwsError';
  }
}

export const notImplemented = (service: string, operation: string) =>
  new AwsError(
    'UnknownOperationException',
    `The local cloud does not implement ${service} ${operation || '(no operation)'}; see the README for the supported operations`,
    400,
  );
