import { CreateQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { startSqsHarness } from '@fleet/local-cloud/testing';
import { describe, expect, it } from 'vitest';
import { createSqsQueueSender } from './replay.ts';
import { inSqsBatches } from './sqs-batches.ts';

describe('inSqsBatches', () => {
  it('sends ten entries a call and answers the items of the failed entries and of a failed call', async () => {
    const items = Array.from({ length: 23 }, (_, i) => `item${i}`);
    const batches: (readonly string[])[] = [];
    const failed = await inSqsBatches(items, async (batch) => {
      batches.push(batch);
      if (batches.length === 2) return { Failed: [{ Id: '3' }] };
      if (batches.length === 3) throw new Error('the call failed');
      return {};
    });
    expect(batches.map((b) => b.length)).toEqual([10, 10, 3]);
    expect(failed).toEqual(['item13', 'item20', 'item21', 'item22']);
  });
});

describe('createSqsQueueSender', () => {
  it('sends more than ten bodies through the SQS stand-in and answers the index of the one SQS refused', async () => {
    const harness = await startSqsHarness();
    try {
      const { QueueUrl } = await harness.sqs.send(new CreateQueueCommand({ QueueName: 'sender' }));
      const bodies = Array.from({ length: 23 }, (_, i) => `body${i}`);
      // SQS refuses a body with characters outside its allowed set, entry by entry.
      bodies[14] = 'bad \u0000 body';
      const { failed } = await createSqsQueueSender({ client: harness.sqs, queueUrl: QueueUrl! }).send(bodies);
      expect(failed).toEqual([14]);
      const received: string[] = [];
      for (let round = 0; round < 10 && received.length < 22; round++) {
        const out = await harness.sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
        received.push(...(out.Messages ?? []).map((m) => m.Body ?? ''));
      }
      expect(received.sort()).toEqual(bodies.filter((_, i) => i !== 14).sort());
    } finally {
      await harness.close();
    }
  });
});
