import { afterEach, describe, expect, it } from 'vitest';
import { addRef } from '../sqs-state.ts';
import type { StoredMessage } from '../sqs-store.ts';
import { moveVisible } from './move-messages.ts';
import { send } from './send.ts';
import { openTestState, testQueue, type TestState } from './sqs-test-state.ts';

let t: TestState;
afterEach(() => t.close());

/** A dead-letter queue holding messages dead-lettered from the given sources (undefined: no source recorded). */
async function deadLetters(sources: readonly (string | undefined)[]) {
  const dlq = await testQueue(t.state, 'dlq');
  const messages = sources.map((source, seq): { seq: number; message: StoredMessage } => ({
    seq,
    message: { id: `m${seq}`, body: `b${seq}`, md5Body: '', sentTimestamp: 1, ...(source ? { deadLetterSource: source } : {}) },
  }));
  await t.state.store.putMessages(dlq.stored, messages);
  for (const { seq, message } of messages) addRef(dlq, seq, message, 0, undefined);
  dlq.nextSeq = messages.length;
  return dlq;
}

const bodiesOf = async (name: string) => {
  const queue = t.state.queues.get(name)!;
  const refs = [...queue.index.all()];
  return (
    await t.state.store.getMessages(
      queue.stored,
      refs.map((ref) => ref.seq),
    )
  ).map((m) => m?.body);
};

describe('moveVisible', () => {
  it('moves each message back to the queue it was dead-lettered from, as a new message there', async () => {
    t = await openTestState();
    await testQueue(t.state, 'a');
    await testQueue(t.state, 'b');
    await deadLetters(['a', 'b', 'a']);
    const before = Date.now();
    expect(await moveVisible(t.state, 'dlq', 10)).toEqual({ moved: 3 });
    expect(await bodiesOf('a')).toEqual(['b0', 'b2']);
    expect(await bodiesOf('b')).toEqual(['b1']);
    expect(await bodiesOf('dlq')).toEqual([]);
    const [moved] = await t.state.store.getMessages(t.state.queues.get('a')!.stored, [0]);
    expect(moved?.deadLetterSource).toBeUndefined();
    expect(moved?.sentTimestamp).toBeGreaterThanOrEqual(before);
  });

  it('moves at most max messages, to the destination when one is given', async () => {
    t = await openTestState();
    await testQueue(t.state, 'elsewhere');
    await deadLetters(['a', 'a', 'a']);
    expect(await moveVisible(t.state, 'dlq', 2, 'elsewhere')).toEqual({ moved: 2 });
    expect(await bodiesOf('elsewhere')).toEqual(['b0', 'b1']);
    expect(t.state.queues.get('dlq')!.index.counts.visible).toBe(1);
  });

  it('fails with CouldNotDetermineMessageSource or NonExistentQueue and leaves those messages visible', async () => {
    t = await openTestState();
    const dlq = await deadLetters([undefined]);
    expect(await moveVisible(t.state, 'dlq', 10)).toEqual({ moved: 0, failure: 'CouldNotDetermineMessageSource' });
    expect(await moveVisible(t.state, 'dlq', 10, 'gone')).toEqual({ moved: 0, failure: 'AWS.SimpleQueueService.NonExistentQueue' });
    expect(dlq.index.counts.visible).toBe(1);
  });

  it('reports a failed durable move as InternalError and leaves the message where it was', async () => {
    t = await openTestState((store) => ({ ...store, moveMessage: () => Promise.reject(new Error('disk full')) }));
    await testQueue(t.state, 'a');
    const dlq = await deadLetters(['a']);
    expect(await moveVisible(t.state, 'dlq', 10)).toEqual({ moved: 0, failure: 'InternalError: disk full' });
    expect(dlq.index.counts.visible).toBe(1);
    expect(t.state.queues.get('a')!.index.counts.visible).toBe(0);
  });

  it('moves only visible messages', async () => {
    t = await openTestState();
    await testQueue(t.state, 'a');
    await testQueue(t.state, 'src');
    await send(t.state, 'src', [{ body: 'later', delaySeconds: 60 }]);
    expect(await moveVisible(t.state, 'src', 10, 'a')).toEqual({ moved: 0 });
  });
});
