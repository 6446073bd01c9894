/**
 * Creates the queues of the shared definitions (`@fleet/core` `queues`) with their dead-letter
 * queues, if missing; a queue whose attributes drifted from its definition is brought back to it.
 * Idempotent, so it can run at every start of the local cloud. Returns the queue URLs by id.
 */
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  QueueNameExists,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { QueueDefinition } from '@fleet/core';

export async function ensureQueues(client: SQSClient, defs: readonly QueueDefinition[]): Promise<Record<string, string>> {
  const urls: Record<string, string> = {};
  for (const def of defs) {
    const dlqUrl = await ensureQueue(client, def.deadLetter.id, { MessageRetentionPeriod: String(def.deadLetter.retentionSeconds) });
    const { Attributes } = await client.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }));
    urls[def.deadLetter.id] = dlqUrl;
    urls[def.id] = await ensureQueue(client, def.id, {
      VisibilityTimeout: String(def.visibilityTimeoutSeconds),
      MessageRetentionPeriod: String(def.retentionSeconds),
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: Attributes?.QueueArn, maxReceiveCount: def.deadLetter.maxReceiveCount }),
    });
  }
  return urls;
}

async function ensureQueue(client: SQSClient, name: string, attributes: Record<string, string>): Promise<string> {
  try {
    const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
    if (!QueueUrl) throw new Error(`CreateQueue ${name} answered no QueueUrl`);
    return QueueUrl;
  } catch (err) {
    if (!(err instanceof QueueNameExists)) throw err;
    // The definition changed since the queue was created: apply it.
    const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: name }));
    await client.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: attributes }));
    return QueueUrl ?? '';
  }
}
