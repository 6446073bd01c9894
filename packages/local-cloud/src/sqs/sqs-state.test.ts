import { afterEach, describe, expect, it } from 'vitest';
import { receive } from './operations/receive.ts';
import { send } from './operations/send.ts';
import { openTestState, redrivePolicy, testQueue, type TestState } from './operations/sqs-test-state.ts';
import { getQueue, wake } from './sqs-state.ts';

let t: TestState;
afterEach(() => t.close());

describe('loadSqsState', () => {
  it('loads every queue and message; in-flight messages are visible again, delayed ones stay delayed', async () => {
    t = await openTestState();
    await testQueue(t.state, 'q');
    await send(t.state, 'q', [{ body: 'in flight' }, { body: 'waiting' }, { body: 'delayed', delaySeconds: 600 }]);
    await receive(t.state, 'q', { max: 1 });
    t = await t.reload();
    const queue = getQueue(t.state, 'q');
    expect(queue.index.counts).toEqual({ visible: 2, inflight: 0, delayed: 1 });
    // New messages get sequence numbers after the loaded ones.
    expect(queue.nextSeq).toBe(3);
  });

  it('routes a message loaded with its receives used up to the redrive check (due at once)', async () => {
    t = await openTestState();
    await testQueue(t.state, 'dlq');
    await testQueue(t.state, 'q', { RedrivePolicy: redrivePolicy('dlq', 1) });
    await send(t.state, 'q', [{ body: 'poison' }]);
    await receive(t.state, 'q', { max: 1, visibilityTimeoutSeconds: 600 });
    t = await t.reload();
    const queue = getQueue(t.state, 'q');
    expect(queue.index.counts).toEqual({ visible: 0, inflight: 1, delayed: 0 });
    expect(queue.index.due(Date.now())).toHaveLength(1);
  });
});

describe('getQueue and wake', () => {
  it('getQueue answers QueueDoesNotExist for an unknown name', async () => {
    t = await openTestState();
    expect(() => getQueue(t.state, 'missing')).toThrow(expect.objectContaining({ code: 'com.amazonaws.sqs#QueueDoesNotExist' }));
  });

  it('wake calls every waiting receiver once', async () => {
    t = await openTestState();
    const queue = await testQueue(t.state, 'q');
    const calls: string[] = [];
    queue.waiters.add(() => calls.push('a'));
    queue.waiters.add(() => calls.push('b'));
    wake(queue);
    wake(queue);
    expect(calls).toEqual(['a', 'b']);
  });
});
