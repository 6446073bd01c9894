/**
 * SQS errors on the AWS JSON protocol. SQS is "awsQueryCompatible": besides `__type` AWS sends
 * `x-amzn-query-error: <query code>;Sender`, and SDK v3 picks the exception class from that
 * header (e.g. `AWS.SimpleQueueService.NonExistentQueue` → `QueueDoesNotExist`). The codes below
 * are the `awsQueryError` traits of the SQS model shipped in @aws-sdk/client-sqs.
 */
import { AwsError } from '../aws-endpoint/index.ts';

/** JSON error name → [query-compatible code, HTTP status]. */
const queryCodes: Readonly<Record<string, readonly [string, number]>> = {
  BatchEntryIdsNotDistinct: ['AWS.SimpleQueueService.BatchEntryIdsNotDistinct', 400],
  BatchRequestTooLong: ['AWS.SimpleQueueService.BatchRequestTooLong', 400],
  EmptyBatchRequest: ['AWS.SimpleQueueService.EmptyBatchRequest', 400],
  InvalidBatchEntryId: ['AWS.SimpleQueueService.InvalidBatchEntryId', 400],
  MessageNotInflight: ['AWS.SimpleQueueService.MessageNotInflight', 400],
  PurgeQueueInProgress: ['AWS.SimpleQueueService.PurgeQueueInProgress', 403],
  QueueDeletedRecently: ['AWS.SimpleQueueService.QueueDeletedRecently', 400],
  QueueDoesNotExist: ['AWS.SimpleQueueService.NonExistentQueue', 400],
  QueueNameExists: ['QueueAlreadyExists', 400],
  ReceiptHandleIsInvalid: ['ReceiptHandleIsInvalid', 404],
  ResourceNotFoundException: ['ResourceNotFoundException', 404],
  TooManyEntriesInBatchRequest: ['AWS.SimpleQueueService.TooManyEntriesInBatchRequest', 400],
  UnsupportedOperation: ['AWS.SimpleQueueService.UnsupportedOperation', 400],
  InvalidAttributeName: ['InvalidAttributeName', 400],
  InvalidAttributeValue: ['InvalidAttributeValue', 400],
  InvalidMessageContents: ['InvalidMessageContents', 400],
  InvalidParameterValue: ['InvalidParameterValue', 400],
  MissingParameter: ['MissingParameter', 400],
};

export type SqsErrorName = keyof typeof queryCodes;

/** An SQS error shaped as AWS answers it on the JSON protocol. */
export function sqsError(name: SqsErrorName, message: string): AwsError {
  const [queryCode, status] = queryCodes[name] ?? [name, 400];
  return new AwsError(`com.amazonaws.sqs#${name}`, message, status, { 'x-amzn-query-error': `${queryCode};Sender` });
}

export const queueDoesNotExist = () => sqsError('QueueDoesNotExist', 'The specified queue does not exist.');

export const invalidParameter = (message: string) => sqsError('InvalidParameterValue', message);

/** Batch result entry for a failed entry (`Failed[]` of the *Batch operations). */
export function batchFailure(id: string, err: unknown): { Id: string; SenderFault: boolean; Code: string; Message: string } {
  if (err instanceof AwsError) {
    const code = err.extra['x-amzn-query-error']?.split(';')[0] ?? err.code;
    return { Id: id, SenderFault: err.status < 500, Code: code, Message: err.message };
  }
  return { Id: id, SenderFault: false, Code: 'InternalError', Message: String((err as Error).message ?? err) };
}
