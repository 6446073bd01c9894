import { describe, expect, it } from 'vitest';
import type { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { createSqsBatcher, sdkBatchSender } from './sqs-batcher.ts';

/** Answers like SQS: failed entries under `Failed`, stored ones under `Successful` (unless `unanswered`). */
function fakeSqs(fail: (body: string) => boolean = () => false, unanswered: (body: string) => boolean = () => false) {
  const batches: { queueUrl: string; bodies: string[] }[] = [];
  return {
    batches,
    client: {
      send: async (command: SendMessageBatchCommand) => {
        const entries = command.input.Entries ?? [];
        batches.push({ queueUrl: command.input.QueueUrl ?? '', bodies: entries.map((e) => e.MessageBody ?? '') });
        const failed = entries
          .filter((e) => fail(e.MessageBody ?? ''))
          .map((e) => ({ Id: e.Id, Code: 'InternalError', Message: 'disk full', SenderFault: false }));
        const successful = entries
          .filter((e) => !fail(e.MessageBody ?? '') && !unanswered(e.MessageBody ?? ''))
          .map((e) => ({ Id: e.Id, MessageId: `id-${e.Id}`, MD5OfMessageBody: '' }));
        return { Successful: successful, Failed: failed };
      },
    } as never,
  };
}

describe('SQS action batching', () => {
  it('sends what arrives together in batches of at most 10, per queue', async () => {
    const sqs = fakeSqs();
    const batcher = createSqsBatcher(sdkBatchSender(sqs.client));
    await Promise.all([...Array.from({ length: 25 }, (_, i) => batcher.send('q1', `m${i}`)), batcher.send('q2', 'other')]);
    expect(sqs.batches.filter((b) => b.queueUrl === 'q1').map((b) => b.bodies.length)).toEqual([10, 10, 5]);
    expect(sqs.batches.filter((b) => b.queueUrl === 'q1').flatMap((b) => b.bodies)).toEqual(Array.from({ length: 25 }, (_, i) => `m${i}`));
    expect(sqs.batches.find((b) => b.queueUrl === 'q2')?.bodies).toEqual(['other']);
  });

  it('rejects only the sends whose entries failed', async () => {
    const sqs = fakeSqs((body) => body === 'bad');
    const batcher = createSqsBatcher(sdkBatchSender(sqs.client));
    const results = await Promise.allSettled([batcher.send('q', 'good'), batcher.send('q', 'bad'), batcher.send('q', 'fine')]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason.message).toMatch(/InternalError: disk full/);
  });

  it('rejects a send the answer lists neither as stored nor as failed: its PUBACK must not go out', async () => {
    const sqs = fakeSqs(undefined, (body) => body === 'lost');
    const batcher = createSqsBatcher(sdkBatchSender(sqs.client));
    const results = await Promise.allSettled([batcher.send('q', 'kept'), batcher.send('q', 'lost')]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    expect((results[1] as PromiseRejectedResult).reason.message).toMatch(/neither Successful nor Failed/);
  });

  it('rejects every send of a batch the queue refused as a whole', async () => {
    const batcher = createSqsBatcher(sdkBatchSender({ send: async () => Promise.reject(new Error('QueueDoesNotExist')) } as never));
    const results = await Promise.allSettled([batcher.send('q', 'a'), batcher.send('q', 'b')]);
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
  });

  it('keeps a batch under 256 KiB of bodies', async () => {
    const sqs = fakeSqs();
    const batcher = createSqsBatcher(sdkBatchSender(sqs.client));
    const big = 'x'.repeat(100 * 1024);
    await Promise.all([batcher.send('q', big), batcher.send('q', big), batcher.send('q', big)]);
    expect(sqs.batches.map((b) => b.bodies.length)).toEqual([2, 1]);
  });
});
