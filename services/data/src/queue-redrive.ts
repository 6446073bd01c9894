/**
 * The ingest dead-letter queue, as the Data Service sees it: how many messages wait there, and
 * their redrive back to the ingest queue with SQS's own API, StartMessageMoveTask
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_StartMessageMoveTask.html).
 * The destination is named (the ingest queue's ARN) rather than left to each message's source, so a
 * message that reached the DLQ any other way is replayed onto the ingest queue too.
 * The move is done by SQS, message by message, so nothing passes through this process; readings
 * that come back are stored once because the consumer's writes are idempotent on (deviceId, ts, seq).
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { GetQueueAttributesCommand, ListMessageMoveTasksCommand, StartMessageMoveTaskCommand } from '@aws-sdk/client-sqs';
import { queueReplayStatuses, type QueueReplay, type QueueReplayStatus } from '@fleet/core';

export interface DeadLetterQueueRedrive {
  /** Messages in the DLQ: visible, in flight and delayed. */
  depth(): Promise<number>;
  /** The latest move task of the DLQ, if any. */
  latest(): Promise<QueueReplay | undefined>;
  /**
   * Starts a move task back to the ingest queue (or follows the one already running) and waits up to
   * `waitMs` for it to end; answers how far it got.
   */
  redrive(waitMs: number): Promise<QueueReplay>;
}

export interface QueueRedriveOptions {
  readonly client: SQSClient;
  readonly deadLetterQueueUrl: string;
  /** Where messages go back: the ingest queue. */
  readonly destinationQueueUrl: string;
  /** How often a running task is looked at while `redrive` waits. @default 250 */
  readonly pollMs?: number;
}

const isRunning = (r: QueueReplay | undefined) => r?.status === 'RUNNING' || r?.status === 'CANCELLING';

export function createQueueRedrive({
  client,
  deadLetterQueueUrl,
  destinationQueueUrl,
  pollMs = 250,
}: QueueRedriveOptions): DeadLetterQueueRedrive {
  let arn: string | undefined;
  let destinationArn: string | undefined;

  async function destination(): Promise<string> {
    if (destinationArn) return destinationArn;
    const out = await client.send(new GetQueueAttributesCommand({ QueueUrl: destinationQueueUrl, AttributeNames: ['QueueArn'] }));
    destinationArn = out.Attributes?.QueueArn;
    if (!destinationArn) throw new Error(`GetQueueAttributes of ${destinationQueueUrl} answered no QueueArn`);
    return destinationArn;
  }

  async function attributes(): Promise<{ arn: string; depth: number }> {
    const out = await client.send(
      new GetQueueAttributesCommand({
        QueueUrl: deadLetterQueueUrl,
        AttributeNames: [
          'QueueArn',
          'ApproximateNumberOfMessages',
          'ApproximateNumberOfMessagesNotVisible',
          'ApproximateNumberOfMessagesDelayed',
        ],
      }),
    );
    const a = out.Attributes ?? {};
    arn = a.QueueArn ?? arn;
    if (!arn) throw new Error(`GetQueueAttributes of ${deadLetterQueueUrl} answered no QueueArn`);
    const count = (name: keyof typeof a) => Number(a[name] ?? 0);
    return {
      arn,
      depth:
        count('ApproximateNumberOfMessages') + count('ApproximateNumberOfMessagesNotVisible') + count('ApproximateNumberOfMessagesDelayed'),
    };
  }

  async function latest(): Promise<QueueReplay | undefined> {
    const sourceArn = arn ?? (await attributes()).arn;
    const out = await client.send(new ListMessageMoveTasksCommand({ SourceArn: sourceArn, MaxResults: 1 }));
    const task = out.Results?.[0];
    if (!task) return undefined;
    return {
      status: (queueReplayStatuses as readonly string[]).includes(task.Status ?? '') ? (task.Status as QueueReplayStatus) : 'FAILED',
      moved: task.ApproximateNumberOfMessagesMoved ?? 0,
      toMove: task.ApproximateNumberOfMessagesToMove ?? 0,
      ...(task.FailureReason ? { failureReason: task.FailureReason } : {}),
    };
  }

  return {
    depth: async () => (await attributes()).depth,
    latest,
    async redrive(waitMs) {
      const { arn: sourceArn, depth } = await attributes();
      let current = await latest();
      if (!isRunning(current)) {
        if (depth === 0) return { status: 'NOTHING_TO_MOVE', moved: 0, toMove: 0 };
        try {
          await client.send(new StartMessageMoveTaskCommand({ SourceArn: sourceArn, DestinationArn: await destination() }));
        } catch (err) {
          // Another replay started one meanwhile: follow it (only one task may run per queue).
          if (!/already a task running/i.test((err as Error).message)) throw err;
        }
      }
      const deadline = Date.now() + waitMs;
      current = await latest();
      while (isRunning(current) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, pollMs));
        current = await latest();
      }
      return current ?? { status: 'NOTHING_TO_MOVE', moved: 0, toMove: 0 };
    },
  };
}
