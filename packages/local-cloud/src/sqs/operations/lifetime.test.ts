import { afterEach, describe, expect, it } from 'vitest';
import { addRef } from '../sqs-state.ts';
import type { StoredMessage } from '../sqs-store.ts';
import { dropExpired, dropIfExpired, moveToDeadLetter, release } from './lifetime.ts';
import { receive } from './receive.ts';
import { send } from './send.ts';
import { openTestState, redrivePolicy, testQueue, type TestState } from './sqs-test-state.ts';

let t: TestState;
afterEach(() => t.close());

/** A source queue redriving to `dlq` after `maxReceiveCount` receives, with one message received that often. */
async function outOfReceives(maxReceiveCount = 1) {
  const dlq = await testQueue(t.state, 'dlq');
  const source = await testQueue(t.state, 'source', { RedrivePolicy: redrivePolicy('dlq', maxReceiveCount) });
  await send(t.state, 'source', [{ body: 'poison' }]);
  let received: Awaited<ReturnType<typeof receive>> = [];
  for (let i = 0; i < maxReceiveCount; i++) received = await receive(t.state, 'source', { max: 1, visibilityTimeoutSeconds: 0 });
  return { dlq, source, ref: received[0]!.ref };
}

/** Resolves once `check` holds, re-checking after each pending I/O callback (no fixed sleep). */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setImmediate(resolve));
}

describe('release', () => {
  it('makes messages whose visibility timeout ended visible again, and wakes long polls', async () => {
    t = await openTestState();
    const queue = await testQueue(t.state, 'q');
    await send(t.state, 'q', [{ body: 'm' }]);
    const [received] = await receive(t.state, 'q', { max: 1, visibilityTimeoutSeconds: 30 });
    const ref = received!.ref;
    let woken = false;
    queue.waiters.add(() => (woken = true));
    release(t.state, queue, ref.visibleAt - 1);
    expect(queue.index.counts.visible).toBe(0);
    release(t.state, queue, ref.visibleAt);
    expect(queue.index.counts).toEqual({ visible: 1, inflight: 0, delayed: 0 });
    expect(woken).toBe(true);
  });

  it('moves a message out of receives to its dead-letter queue, keeping id, body and SentTimestamp', async () => {
    t = await openTestState();
    const { dlq, source, ref } = await outOfReceives(2);
    release(t.state, source, Date.now() + 1);
    await until(() => dlq.index.counts.visible === 1);
    const [moved] = [...dlq.index.all()];
    const [stored] = await t.state.store.getMessages(dlq.stored, [moved!.seq]);
    expect(stored).toMatchObject({ id: ref.id, body: 'poison', sentTimestamp: ref.sentTimestamp, deadLetterSource: 'source' });
    expect(source.index.get(ref.seq)).toBeUndefined();
    expect(moved!.receiveCount).toBe(0);
  });

  it('keeps a message out of receives visible in its queue when its dead-letter queue does not exist', async () => {
    t = await openTestState();
    const source = await testQueue(t.state, 'source', { RedrivePolicy: redrivePolicy('missing', 1) });
    await send(t.state, 'source', [{ body: 'm' }]);
    await receive(t.state, 'source', { max: 1, visibilityTimeoutSeconds: 0 });
    release(t.state, source, Date.now() + 1);
    expect(source.index.counts.visible).toBe(1);
  });
});

describe('moveToDeadLetter', () => {
  it('leaves the message visible in its queue when the durable move fails', async () => {
    t = await openTestState((store) => ({ ...store, moveMessage: () => Promise.reject(new Error('disk full')) }));
    const { dlq, source, ref } = await outOfReceives();
    await moveToDeadLetter(t.state, source, ref, 'dlq');
    expect(ref.state).toBe('visible');
    expect(dlq.index.counts.visible).toBe(0);
  });

  it('moves nothing when the message was deleted meanwhile', async () => {
    t = await openTestState();
    const { dlq, source, ref } = await outOfReceives();
    const moving = moveToDeadLetter(t.state, source, ref, 'dlq');
    source.index.remove(ref);
    await moving;
    expect(dlq.index.counts.visible).toBe(0);
  });
});

describe('retention', () => {
  async function withAges(ages: readonly number[]) {
    const queue = await testQueue(t.state, 'q', { MessageRetentionPeriod: '60' });
    const now = Date.now();
    const messages = ages.map((age, seq): { seq: number; message: StoredMessage } => ({
      seq,
      message: { id: `m${seq}`, body: `age ${age}`, md5Body: '', sentTimestamp: now - age * 1000 },
    }));
    await t.state.store.putMessages(queue.stored, messages);
    for (const { seq, message } of messages) addRef(queue, seq, message, 0, undefined);
    return { queue, now };
  }

  it('dropExpired deletes every message older than MessageRetentionPeriod, from the index and the store', async () => {
    t = await openTestState();
    const { queue, now } = await withAges([120, 30, 61]);
    await dropExpired(t.state, queue, now);
    expect([...queue.index.all()].map((ref) => ref.id)).toEqual(['m1']);
    expect(await t.state.store.getMessages(queue.stored, [0, 1, 2])).toEqual([undefined, expect.objectContaining({ id: 'm1' }), undefined]);
  });

  it('dropIfExpired keeps the refs within retention and removes the others', async () => {
    t = await openTestState();
    const { queue, now } = await withAges([120, 30]);
    const kept = dropIfExpired(t.state, queue, [...queue.index.all()], now);
    expect(kept.map((ref) => ref.id)).toEqual(['m1']);
    expect(queue.index.get(0)).toBeUndefined();
  });
});
