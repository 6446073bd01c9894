import { jobsTopics } from '@fleet/core';
import { describe, expect, it } from 'vitest';
import type { BrokerMessage } from '../broker/message-listeners.ts';
import { createJobsMqttListener } from './jobs-mqtt-listener.ts';
import type { JobsEngine } from './jobs-engine.ts';

const message = (topic: string, payload: string, clientId = 'alpha'): BrokerMessage => ({
  topic,
  payload: Buffer.from(payload),
  clientId,
  timestamp: 0,
  qos: 1,
});

/** An engine whose store fails every write, as a full disk would. */
const failingEngine = {
  context: { now: () => 1_000_000 },
  run: () => Promise.reject(new Error('disk full')),
  read: () => Promise.resolve({ inProgressJobs: [], queuedJobs: [] }),
} as unknown as JobsEngine;

function listenerWithReplies(engine: JobsEngine = failingEngine) {
  const replies: { clientId: string; topic: string; body: unknown }[] = [];
  const listener = createJobsMqttListener({
    engine,
    reply: (clientId, topic, payload) => {
      replies.push({ clientId, topic, body: JSON.parse(payload) });
      return Promise.resolve(true);
    },
  });
  return { listener, replies };
}

describe('the Jobs MQTT listener', () => {
  it('answers not durable, and does not reply, when the change cannot be persisted: no PUBACK, the device publishes again', async () => {
    const { listener, replies } = listenerWithReplies();
    const outcome = await listener(message(jobsTopics.update('alpha', 'j1'), '{"status":"SUCCEEDED"}'));
    expect(outcome).toEqual({ durable: false, reason: 'IoT Jobs: disk full' });
    expect(replies).toEqual([]);
  });

  it('replies to the requesting client on /accepted with the clientToken and a timestamp in seconds', async () => {
    const { listener, replies } = listenerWithReplies();
    expect(await listener(message(jobsTopics.get('alpha'), '{"clientToken":"t1"}'))).toBeUndefined();
    expect(replies).toEqual([
      {
        clientId: 'alpha',
        topic: '$aws/things/alpha/jobs/get/accepted',
        body: { inProgressJobs: [], queuedJobs: [], timestamp: 1000, clientToken: 't1' },
      },
    ]);
  });

  it('ignores replies, notifications, other topics and messages the service published itself', async () => {
    const { listener, replies } = listenerWithReplies();
    for (const m of [
      message('$aws/things/alpha/jobs/get/accepted', '{}'),
      message(jobsTopics.notifyNext('alpha'), '{}'),
      message('fleet/devices/alpha/telemetry', '{}'),
      message(jobsTopics.get('alpha'), '{}', ''),
    ]) {
      expect(await listener(m)).toBeUndefined();
    }
    expect(replies).toEqual([]);
  });

  it('refuses a clientToken longer than 64 characters as InvalidRequest', async () => {
    const { listener, replies } = listenerWithReplies();
    await listener(message(jobsTopics.get('alpha'), JSON.stringify({ clientToken: 'x'.repeat(65) })));
    expect(replies).toEqual([
      { clientId: 'alpha', topic: '$aws/things/alpha/jobs/get/rejected', body: expect.objectContaining({ code: 'InvalidRequest' }) },
    ]);
  });
});
