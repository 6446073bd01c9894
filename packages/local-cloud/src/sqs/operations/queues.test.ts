import { afterEach, describe, expect, it } from 'vitest';
import { queueArn } from '../sqs-attributes.ts';
import { attributes, createQueue, deleteQueue, purgeQueue, queueNames, redriveSources, setAttributes, visibleCount } from './queues.ts';
import { receive } from './receive.ts';
import { send } from './send.ts';
import { openTestState, redrivePolicy, testQueue, type TestState } from './sqs-test-state.ts';

let t: TestState;
afterEach(() => t.close());

describe('createQueue', () => {
  it('creates a queue durably, and again with the same attributes as a no-op', async () => {
    t = await openTestState();
    await createQueue(t.state, 'q', { VisibilityTimeout: '10' });
    const incarnation = t.state.queues.get('q')!.stored.incarnation;
    await createQueue(t.state, 'q', { VisibilityTimeout: '10' });
    expect(t.state.queues.get('q')!.stored.incarnation).toBe(incarnation);
    t = await t.reload();
    expect(t.state.queues.get('q')!.config.visibilityTimeoutSeconds).toBe(10);
  });

  it('answers QueueNameExists for the same name with other attributes', async () => {
    t = await openTestState();
    await createQueue(t.state, 'q', { VisibilityTimeout: '10' });
    await expect(createQueue(t.state, 'q', { VisibilityTimeout: '11' })).rejects.toMatchObject({
      code: 'com.amazonaws.sqs#QueueNameExists',
    });
  });

  it('lists queue names sorted', async () => {
    t = await openTestState();
    for (const name of ['b', 'c', 'a']) await createQueue(t.state, name, {});
    expect(queueNames(t.state)).toEqual(['a', 'b', 'c']);
  });
});

describe('deleteQueue', () => {
  it('forgets the queue at once and for good, and wakes its long polls', async () => {
    t = await openTestState();
    const queue = await testQueue(t.state, 'q');
    let woken = false;
    queue.waiters.add(() => (woken = true));
    await deleteQueue(t.state, 'q');
    expect(woken).toBe(true);
    expect(queueNames(t.state)).toEqual([]);
    await expect(deleteQueue(t.state, 'q')).rejects.toMatchObject({ code: 'com.amazonaws.sqs#QueueDoesNotExist' });
    t = await t.reload();
    expect(queueNames(t.state)).toEqual([]);
  });
});

describe('purgeQueue', () => {
  it('drops every message, in flight ones included, and they do not come back after a reload', async () => {
    t = await openTestState();
    const queue = await testQueue(t.state, 'q');
    await send(t.state, 'q', [{ body: 'a' }, { body: 'b' }]);
    await receive(t.state, 'q', { max: 1 });
    const before = queue.stored.incarnation;
    await purgeQueue(t.state, 'q');
    expect(queue.stored.incarnation).not.toBe(before);
    expect(queue.index.counts).toEqual({ visible: 0, inflight: 0, delayed: 0 });
    t = await t.reload();
    expect(t.state.queues.get('q')!.index.counts).toEqual({ visible: 0, inflight: 0, delayed: 0 });
  });
});

describe('redriveSources', () => {
  it('names the queues whose RedrivePolicy targets the given queue', async () => {
    t = await openTestState();
    await testQueue(t.state, 'dlq');
    await testQueue(t.state, 'a', { RedrivePolicy: redrivePolicy('dlq', 3) });
    await testQueue(t.state, 'b');
    expect(redriveSources(t.state, 'dlq')).toEqual(['a']);
    expect(redriveSources(t.state, 'b')).toEqual([]);
  });
});

describe('attributes', () => {
  it('setAttributes merges, applies and persists the new values', async () => {
    t = await openTestState();
    const queue = await testQueue(t.state, 'q', { VisibilityTimeout: '10', DelaySeconds: '5' });
    await setAttributes(t.state, 'q', { VisibilityTimeout: '20' });
    expect(queue.config).toMatchObject({ visibilityTimeoutSeconds: 20, delaySeconds: 5 });
    t = await t.reload();
    expect(t.state.queues.get('q')!.stored.attributes).toEqual({ VisibilityTimeout: '20', DelaySeconds: '5' });
  });

  it('reports defaults, the counts of visible, in-flight and delayed messages, timestamps and the ARN', async () => {
    t = await openTestState();
    await testQueue(t.state, 'q');
    await send(t.state, 'q', [{ body: 'visible' }, { body: 'in flight' }, { body: 'delayed', delaySeconds: 60 }]);
    await receive(t.state, 'q', { max: 1 });
    expect(attributes(t.state, 'q')).toMatchObject({
      VisibilityTimeout: '30',
      ApproximateNumberOfMessages: '1',
      ApproximateNumberOfMessagesNotVisible: '1',
      ApproximateNumberOfMessagesDelayed: '1',
      CreatedTimestamp: expect.stringMatching(/^\d+$/),
      QueueArn: queueArn('q'),
    });
  });

  it('counts a message whose visibility timeout ended as visible', async () => {
    t = await openTestState();
    await testQueue(t.state, 'q');
    await send(t.state, 'q', [{ body: 'm' }]);
    await receive(t.state, 'q', { max: 1, visibilityTimeoutSeconds: 0 });
    expect(visibleCount(t.state, 'q')).toBe(1);
  });
});
