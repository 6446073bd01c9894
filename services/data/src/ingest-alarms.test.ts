/**
 * The ingest flush and alarms: a message is deleted only once its reading is durable and its
 * device's alarm evaluation too; a device whose evaluation failed has its messages redelivered.
 */
import type { Reading } from '@fleet/core';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { AlarmEngine } from './alarms/alarm-engine.ts';
import { createMetrics } from './emf.ts';
import { createIngestProcessor } from './ingest-processor.ts';
import type { QueueMessage } from './ingest-queue.ts';

const now = Date.UTC(2026, 0, 15);
const message = (deviceId: string, seq: number): QueueMessage => ({
  messageId: `q-${deviceId}-${seq}`,
  receiptHandle: `h-${deviceId}-${seq}`,
  receiveCount: 1,
  body: JSON.stringify({
    kind: 'telemetry',
    payload: Buffer.from(JSON.stringify({ ts: now - 1000 + seq, seq, t: 90 })).toString('base64'),
    deviceId,
    clientId: deviceId,
    receivedAt: now,
    messageId: `m-${deviceId}-${seq}`,
  }),
});

function processorWith(alarms: AlarmEngine) {
  return createIngestProcessor({
    telemetry: {
      write: async (r) => ({ stored: r.length, duplicates: 0, failed: [] }),
      writeHistorical: async () => ({ stored: 0, duplicates: 0, failed: [] }),
      query: async function* () {},
    },
    latest: { write: async (r) => ({ updated: r.length, older: 0, failed: [] }), get: async () => undefined },
    archive: { write: async () => ({ objects: [], failedMessageIds: new Set(), errors: [] }) },
    deadLetters: { write: async () => 'key', listRecent: async () => [] },
    presence: { apply: async () => 'ignored' },
    metrics: createMetrics({ namespace: 'Fleet', service: 'data', flushIntervalMs: 0, write: () => undefined }),
    logger: pino({ level: 'silent' }),
    alarms,
    now: () => now,
  });
}

describe('ingest with alarms', () => {
  it('evaluates the durable readings of a flush once, and retries the messages of a device whose evaluation failed', async () => {
    const evaluated: Reading[][] = [];
    const processor = processorWith({
      evaluate: async (readings) => {
        evaluated.push([...readings]);
        return { failedDevices: new Set(['dev-b']), transitions: 0 };
      },
    });
    const result = await processor.process([message('dev-a', 1), message('dev-b', 1), message('dev-a', 2)]);
    expect(evaluated).toHaveLength(1);
    expect(evaluated[0]?.map((r) => `${r.deviceId}:${r.seq}`).sort()).toEqual(['dev-a:1', 'dev-a:2', 'dev-b:1']);
    expect(result.deletable.map((m) => m.messageId).sort()).toEqual(['q-dev-a-1', 'q-dev-a-2']);
    expect(result.retry.map((m) => m.messageId)).toEqual(['q-dev-b-1']);
  });
});
