/**
 * Live readings of granted thing groups: only granted groups' topics get a reading, storing never
 * waits for them, and what fails is counted, not retried.
 */
import { ListGroupsCommand } from '@aws-sdk/client-cognito-identity-provider';
import { ListThingsInThingGroupCommand } from '@aws-sdk/client-iot';
import { PublishCommand } from '@aws-sdk/client-iot-data-plane';
import { dataServiceMetrics, topics, type IngestMessage } from '@fleet/core';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createIngestProcessor } from '../ingest-processor.ts';
import type { QueueMessage } from '../ingest-queue.ts';
import { emptyStores } from '../testing/empty-stores.ts';
import { createGrantedGroups, type GrantedGroups } from './granted-groups.ts';
import { createGroupRepublisher } from './group-republisher.ts';

const logger = pino({ level: 'silent' });

/** A user pool with `poolGroups` and thing groups with `members`, counting the calls. */
function fakeAws(poolGroups: string[], members: Record<string, string[]>) {
  const calls = { listGroups: 0, listThings: 0 };
  return {
    calls,
    cognito: {
      send: async (command: unknown) => {
        if (!(command instanceof ListGroupsCommand)) throw new Error('unexpected Cognito command');
        calls.listGroups++;
        return { Groups: poolGroups.map((GroupName) => ({ GroupName })) };
      },
    },
    iot: {
      send: async (command: unknown) => {
        if (!(command instanceof ListThingsInThingGroupCommand)) throw new Error('unexpected IoT command');
        calls.listThings++;
        const things = members[command.input.thingGroupName ?? ''];
        if (!things) throw Object.assign(new Error('no such group'), { name: 'ResourceNotFoundException' });
        return { things };
      },
    },
  };
}

function recorder() {
  const counted = new Map<string, number>();
  return {
    counted,
    metrics: { count: (name: string, n = 1) => void counted.set(name, (counted.get(name) ?? 0) + n) },
  };
}

function dataPlane(behaviour: (topic: string) => Promise<unknown> = async () => ({})) {
  const published: { topic: string; payload: string; qos: number }[] = [];
  return {
    published,
    send: async (command: unknown) => {
      if (!(command instanceof PublishCommand)) throw new Error('unexpected data plane command');
      const { topic = '', payload, qos = -1 } = command.input;
      published.push({ topic, payload: Buffer.from(payload as Uint8Array).toString(), qos });
      return behaviour(topic);
    },
  };
}

describe('granted groups', () => {
  it('maps each device to the granted groups it is in, and asks Cognito and IoT once per TTL, not per reading', async () => {
    const aws = fakeAws(['admin', 'operator', 'thing-group:a', 'thing-group:b', 'thing-group:gone'], {
      a: ['d1', 'd2'],
      b: ['d2'],
      c: ['d3'],
    });
    let now = 0;
    const granted = createGrantedGroups({ ...aws, userPoolId: 'pool', ttlMs: 60_000, now: () => now });
    expect(await granted.groupsOf('d1')).toEqual(['a']);
    expect(await granted.groupsOf('d2')).toEqual(['a', 'b']);
    expect(await granted.groupsOf('d3')).toEqual([]);
    expect(aws.calls).toEqual({ listGroups: 1, listThings: 3 });
    now = 60_000;
    await granted.groupsOf('d1');
    expect(aws.calls.listGroups).toBe(2);
  });
});

describe('the group re-publisher', () => {
  const granted: GrantedGroups = { groupsOf: async (id) => ({ d1: ['a'], d2: ['a', 'b'] })[id] ?? [] };

  it("publishes the device's own payload at QoS 0 to each granted group it is in, and nothing for other devices", async () => {
    const iotData = dataPlane();
    const { metrics, counted } = recorder();
    const live = createGroupRepublisher({ iotData, granted, metrics, logger });
    live.offer([
      { deviceId: 'd2', payload: Buffer.from('{"seq":1}') },
      { deviceId: 'd9', payload: Buffer.from('{"seq":2}') },
    ]);
    await live.idle();
    expect(iotData.published.sort((x, y) => x.topic.localeCompare(y.topic))).toEqual([
      { topic: topics.groupTelemetry('a', 'd2'), payload: '{"seq":1}', qos: 0 },
      { topic: topics.groupTelemetry('b', 'd2'), payload: '{"seq":1}', qos: 0 },
    ]);
    expect(counted.get(dataServiceMetrics.groupLivePublished)).toBe(2);
    expect(counted.get(dataServiceMetrics.groupLiveFailed)).toBeUndefined();
  });

  it('counts failed publishes and readings dropped beyond its queue, and goes on', async () => {
    const iotData = dataPlane(async (topic) => {
      if (topic.includes('/b/')) throw new Error('throttled');
      return {};
    });
    const { metrics, counted } = recorder();
    const live = createGroupRepublisher({ iotData, granted, metrics, logger, maxInFlight: 1, maxQueued: 2 });
    live.offer([1, 2, 3, 4].map((seq) => ({ deviceId: 'd2', payload: Buffer.from(`{"seq":${seq}}`) })));
    await live.idle();
    // Room for two: the third and fourth are dropped; each kept reading reaches group a and fails for group b.
    expect(counted.get(dataServiceMetrics.groupLivePublished)).toBe(2);
    expect(counted.get(dataServiceMetrics.groupLiveFailed)).toBe(2 + 2);
    expect(iotData.published.map((p) => p.payload)).toEqual(['{"seq":1}', '{"seq":1}', '{"seq":2}', '{"seq":2}']);
  });

  it('never holds back storing: a flush is deletable while the data plane hangs', async () => {
    const iotData = dataPlane(() => new Promise(() => {}));
    const { metrics } = recorder();
    const live = createGroupRepublisher({ iotData, granted, metrics, logger });
    const body: IngestMessage = {
      kind: 'telemetry',
      payload: Buffer.from(JSON.stringify({ ts: Date.now(), seq: 1, t: 1 })).toString('base64'),
      deviceId: 'd1',
      clientId: 'd1',
      receivedAt: Date.now(),
      messageId: 'm-1',
    };
    const processor = createIngestProcessor({
      ...emptyStores,
      telemetry: { ...emptyStores.telemetry, write: async (readings) => ({ stored: readings.length, duplicates: 0, failed: [] }) },
      archive: { write: async () => ({ objects: ['o'], failedMessageIds: new Set(), errors: [] }) },
      presence: { apply: async () => 'applied' },
      metrics: { count: () => {}, observe: () => {}, stop: () => {} } as never,
      logger,
      live,
    });
    const queued: QueueMessage = { messageId: 'm-1', receiptHandle: 'r', body: JSON.stringify(body), receiveCount: 1 };
    const result = await processor.process([queued]);
    expect(result.deletable).toEqual([queued]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(iotData.published.map((p) => p.topic)).toEqual([topics.groupTelemetry('a', 'd1')]);
  });
});
