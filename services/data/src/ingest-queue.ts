/**
 * The consumer's port to the ingest queue: the three SQS operations it needs, the last two in
 * batches. `createSqsIngestQueue` adapts an SQSClient (AWS SQS or the local stand-in); tests may use
 * an in-memory implementation with the same semantics (`testing/memory-queue.ts`).
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { ChangeMessageVisibilityBatchCommand, DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { inSqsBatches } from './sqs-batches.ts';

export interface QueueMessage {
  /** SQS message id (not the rule's `messageId` inside the body). */
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  /** ApproximateReceiveCount: 1 on the first delivery. */
  readonly receiveCount: number;
  /** SentTimestamp, epoch ms: when the message entered the queue (a redelivery keeps it). Absent when SQS did not say. */
  readonly sentAt?: number;
}

export interface ReceiveOptions {
  /** 1–10 (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html). */
  readonly maxMessages: number;
  /** Long polling: 0–20 seconds. */
  readonly waitTimeSeconds: number;
  /** Aborts a long poll (shutdown). */
  readonly signal?: AbortSignal;
}

export interface IngestQueue {
  receive(options: ReceiveOptions): Promise<QueueMessage[]>;
  /** Deletes by receipt handle; returns the handles that could not be deleted. */
  delete(receiptHandles: readonly string[]): Promise<{ readonly failed: readonly string[] }>;
  /**
   * Makes each received message visible again after its `timeoutSeconds` (0: immediately), ten per
   * call; returns the handles whose change failed.
   */
  changeVisibility(changes: readonly VisibilityChange[]): Promise<{ readonly failed: readonly string[] }>;
}

export interface VisibilityChange {
  readonly receiptHandle: string;
  readonly timeoutSeconds: number;
}

export interface SqsIngestQueueOptions {
  readonly client: SQSClient;
  readonly queueUrl: string;
}

/** The ingest queue over an SQS client. */
export function createSqsIngestQueue({ client, queueUrl }: SqsIngestQueueOptions): IngestQueue {
  return {
    async receive({ maxMessages, waitTimeSeconds, signal }) {
      const out = await client.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: maxMessages,
          WaitTimeSeconds: waitTimeSeconds,
          MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
        }),
        signal ? { abortSignal: signal } : {},
      );
      return (out.Messages ?? []).flatMap((m) =>
        m.MessageId && m.ReceiptHandle
          ? [
              {
                messageId: m.MessageId,
                receiptHandle: m.ReceiptHandle,
                body: m.Body ?? '',
                receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? 1),
                ...(m.Attributes?.SentTimestamp ? { sentAt: Number(m.Attributes.SentTimestamp) } : {}),
              },
            ]
          : [],
      );
    },
    async delete(receiptHandles) {
      const failed = await inSqsBatches(receiptHandles, (batch) =>
        client.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: batch.map((handle, index) => ({ Id: String(index), ReceiptHandle: handle })),
          }),
        ),
      );
      return { failed };
    },
    async changeVisibility(changes) {
      const failed = await inSqsBatches(changes, (batch) =>
        client.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: queueUrl,
            Entries: batch.map((c, index) => ({ Id: String(index), ReceiptHandle: c.receiptHandle, VisibilityTimeout: c.timeoutSeconds })),
          }),
        ),
      );
      return { failed: failed.map((c) => c.receiptHandle) };
    },
  };
}
