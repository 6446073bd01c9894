/**
 * The failure description of one action, shaped like AWS's error-action messages:
 * "Failed to put S3 object. The error received was ... Message arrived on: t, Action: s3, Bucket: b".
 */
import type { IotMessage } from '@fleet/core';
import { describeError, type ActionFailure } from './action-failure.ts';

export function actionFailure(
  failedAction: string,
  failedResource: string,
  what: string,
  err: unknown,
  message: IotMessage,
  details: string,
): ActionFailure {
  return {
    failedAction,
    failedResource,
    errorMessage: `Failed to ${what}. The error received was ${describeError(err)}. Message arrived on: ${message.topic}, ${details}`,
  };
}
