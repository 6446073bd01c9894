import type { ShadowUpdateAccepted } from '@fleet/core';
import { describe, expect, it } from 'vitest';
import type { BrokerMessage } from '../broker/message-listeners.ts';
import { createShadowMessageListener } from './shadow-mqtt-listener.ts';
import type { ShadowService } from './shadow-service.ts';

const now = () => 1_700_000_000_000;
const request = (topic: string, payload: string, clientId = 'dev', qos: 0 | 1 = 1): BrokerMessage => ({
  topic,
  payload: Buffer.from(payload),
  clientId,
  timestamp: now(),
  qos,
});

function setup(update: ShadowService['update']) {
  const published: { topic: string; document: Record<string, unknown> }[] = [];
  const service: ShadowService = {
    get: () => Promise.reject(new Error('not used')),
    update,
    delete: () => Promise.reject(new Error('not used')),
    listNamed: () => Promise.resolve([]),
  };
  const listener = createShadowMessageListener({
    service,
    publish: (topic, payload) => {
      published.push({ topic, document: JSON.parse(payload) as Record<string, unknown> });
      return Promise.resolve();
    },
    now,
  });
  return { listener, published };
}

const accepted: ShadowUpdateAccepted = { state: {}, metadata: {}, version: 1, timestamp: 1 };

describe('shadow MQTT listener', () => {
  it('answers 429 on /rejected to the eleventh request in flight on one connection', async () => {
    const release = Promise.withResolvers<void>();
    const { listener, published } = setup(async () => {
      await release.promise;
      return accepted;
    });
    const topic = '$aws/things/lamp/shadow/update';
    const held = Array.from({ length: 10 }, () => listener(request(topic, '{"state":{}}')) as Promise<unknown>);
    await listener(request(topic, '{"state":{}}'));
    // Another connection is not limited by this one.
    const other = listener(request(topic, '{"state":{}}', 'other')) as Promise<unknown>;
    expect(published).toEqual([
      { topic: '$aws/things/lamp/shadow/update/rejected', document: { code: 429, message: 'Too Many Requests', timestamp: 1_700_000_000 } },
    ]);
    release.resolve();
    await Promise.all([...held, other]);
    await listener(request(topic, '{"state":{}}'));
    expect(published).toHaveLength(1);
  });

  it('refuses the PUBACK of a QoS 1 update the store could not keep, and answers 500 to a QoS 0 one', async () => {
    const { listener, published } = setup(() => Promise.reject(new Error('disk full')));
    const topic = '$aws/things/lamp/shadow/name/cfg/update';
    expect(await listener(request(topic, '{"state":{}}', 'dev', 1))).toEqual({
      durable: false,
      reason: 'shadow request failed: disk full',
    });
    expect(published).toEqual([]);
    expect(await listener(request(topic, '{"state":{}}', 'dev', 0))).toMatchObject({ durable: false });
    expect(published).toEqual([
      {
        topic: '$aws/things/lamp/shadow/name/cfg/update/rejected',
        document: { code: 500, message: 'Internal service failure', timestamp: 1_700_000_000 },
      },
    ]);
  });

  it('ignores response topics and topics that are not shadow topics', async () => {
    const { listener, published } = setup(() => Promise.reject(new Error('not expected')));
    expect(await listener(request('$aws/things/lamp/shadow/update/accepted', '{}', ''))).toBeUndefined();
    expect(await listener(request('fleet/devices/lamp/telemetry', '{}'))).toBeUndefined();
    expect(published).toEqual([]);
  });
});
