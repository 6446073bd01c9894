/**
 * SNS's error codes (the Query `Code` the SDK maps to NotFoundException, InvalidParameterException,
 * ...) and the messages SNS writes for them.
 */
import { AwsError } from '../aws-endpoint/aws-error.ts';

export const notFound = (what: 'Topic' | 'Subscription' | 'Resource') => new AwsError('NotFound', `${what} does not exist`, 404);

/** SNS writes `Invalid parameter: <Name>` and, where it says more, ` Reason: ...`. */
export const invalidParameter = (name: string, reason?: string) =>
  new AwsError('InvalidParameter', `Invalid parameter: ${name}${reason !== undefined ? ` Reason: ${reason}` : ''}`, 400);

export const authorizationError = (message: string) => new AwsError('AuthorizationError', message, 403);

export const batchError = (code: string, message: string) => new AwsError(code, message, 400);
