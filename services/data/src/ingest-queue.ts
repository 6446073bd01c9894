/**
 * The consumer's port to the ingest queue: the three SQS operations it needs. `createSqsIngestQueue`
 * adapts an SQSClient (AWS SQS or the local stand-in); tests may use an in-memory implementation
 * with the same semantics (`testing/memory-queue.ts`).
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { ChangeMessageVisibilityCommand, DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';

export interface QueueMessage {
  /** SQS message id (not the rule's `messageId` inside the body). */
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  /** ApproximateReceiveCount: 1 on the first delivery. */
  readonly receiveCount: number;
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
  /** Makes a received message visible again after `timeoutSeconds` (0: immediately). */
  changeVisibility(receiptHandle: string, timeoutSeconds: number): Promise<void>;
}

export interface SqsIngestQueueOptions {
  readonly client: SQSClient;
  readonly queueUrl: string;
}

/** DeleteMessageBatch takes at most 10 entries. */
const maxBatchEntries = 10;

/** The ingest queue over an SQS client. */
export function createSqsIngestQueue({ client, queueUrl }: SqsIngestQueueOptions): IngestQueue {
  return {
    async receive({ maxMessages, waitTimeSeconds, signal }) {
      const out = await client.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: maxMessages,
          WaitTimeSeconds: waitTimeSeconds,
          MessageSystemAttributeNames: ['ApproximateReceiveCount'],
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
              },
            ]
          : [],
      );
    },
    async delete(receiptHandles) {
      const failed: string[] = [];
      for (let i = 0; i < receiptHandles.length; i += maxBatchEntries) {
        const chunk = receiptHandles.slice(i, i + maxBatchEntries);
        try {
          const out = await client.send(
            new DeleteMessageBatchCommand({
              QueueUrl: queueUrl,
              Entries: chunk.map((handle, index) => ({ Id: String(index), ReceiptHandle: handle })),
            }),
          );
          for (const f of out.Failed ?? []) {
            const handle = chunk[Number(f.Id)];
            if (handle !== undefined) failed.push(handle);
          }
        } catch {
          failed.push(...chunk);
        }
      }
      return { failed };
    },
    async changeVisibility(receiptHandle, timeoutSeconds) {
      await client.send(
        new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: timeoutSeconds }),
      );
    },
  };
}
