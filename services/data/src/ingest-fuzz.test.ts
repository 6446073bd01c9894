/**
 * MQTT payload fuzz of the Data Service's ingest path (fast-check): whatever a device publishes —
 * nested, huge numbers, invalid UTF-8, wrong types, 128 KB — and whatever lands on the queue,
 * parsing never throws and a flush never fails: each message is either stored or kept as a dead
 * letter with a clear reason, and nothing is left for redelivery.
 */
import { telemetryLimits, type Reading } from '@fleet/core';
import { mqttPayloads } from '@fleet/core/testing';
import fc from 'fast-check';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { DeadLetter } from './dead-letters.ts';
import { createMetrics } from './emf.ts';
import { classify } from './ingest-classify.ts';
import { createIngestProcessor } from './ingest-processor.ts';
import type { QueueMessage } from './ingest-queue.ts';

const now = Date.UTC(2026, 0, 15);
let counter = 0;
const queued = (body: string): QueueMessage => ({ messageId: `q${++counter}`, receiptHandle: `h${counter}`, body, receiveCount: 1 });
const telemetryBody = (payload: Uint8Array) =>
  JSON.stringify({
    kind: 'telemetry',
    payload: Buffer.from(payload).toString('base64'),
    deviceId: 'fuzz-dev',
    clientId: 'fuzz-dev',
    receivedAt: now,
    messageId: `m${++counter}`,
  });
/** Queue bodies: rule outputs carrying fuzzed payloads, and anything else a forged message could hold. */
const queueBodies = fc.oneof(
  { weight: 4, arbitrary: mqttPayloads(now).map(telemetryBody) },
  { weight: 1, arbitrary: fc.json() },
  { weight: 1, arbitrary: fc.string() },
);

/** A clear reason: says what is wrong in a sentence, not a dump of the payload. */
const isClearReason = (reason: string) => reason.length > 10 && reason.length < 600 && !reason.includes('[object Object]');
/** DynamoDB's number range (the latest table stores values as numbers). */
const storable = (v: number) => v === 0 || (Math.abs(v) >= 1e-130 && Math.abs(v) < 1e126);

describe('ingest payload fuzz', () => {
  it('classifies any payload without throwing: a valid, storable reading or a dead letter with a clear reason', () => {
    fc.assert(
      fc.property(queueBodies, (body) => {
        const c = classify(queued(body), now);
        if (c.kind === 'letter') expect(isClearReason(c.letter.reason)).toBe(true);
        if (c.kind === 'reading') {
          const values = Object.entries(c.reading.values);
          expect(values.length).toBeGreaterThan(0);
          expect(values.length).toBeLessThanOrEqual(telemetryLimits.maxMetrics);
          for (const [name, v] of values) {
            expect(name).toMatch(telemetryLimits.metricNamePattern);
            expect(Number.isFinite(v) && storable(v)).toBe(true);
          }
        }
      }),
      { numRuns: 400 },
    );
  });

  it('stores or dead-letters every message of any flush, and never fails one', async () => {
    const stored: Reading[] = [];
    const letters: DeadLetter[] = [];
    const processor = createIngestProcessor({
      telemetry: {
        write: async (readings) => {
          stored.push(...readings);
          return { stored: readings.length, duplicates: 0, failed: [] };
        },
        writeHistorical: async () => ({ stored: 0, duplicates: 0, failed: [] }),
        query: async function* () {},
      },
      // Refuses like DynamoDB: one number out of range fails the whole request.
      latest: {
        write: async (readings) => {
          const bad = readings.some((r) => !Object.values(r.values).every(storable));
          const error = Object.assign(new Error('Number overflow'), { name: 'ValidationException', $fault: 'client' });
          return bad
            ? { updated: 0, older: 0, failed: [...new Set(readings.map((r) => r.deviceId))].map((deviceId) => ({ deviceId, error })) }
            : { updated: readings.length, older: 0, failed: [] };
        },
        get: async () => undefined,
      },
      archive: { write: async () => ({ objects: [], failedMessageIds: new Set(), errors: [] }) },
      deadLetters: {
        write: async (letter) => {
          letters.push(letter);
          return 'key';
        },
        listRecent: async () => [],
      },
      presence: { apply: async () => 'ignored' },
      metrics: createMetrics({ namespace: 'Fleet', service: 'data', flushIntervalMs: 0, write: () => undefined }),
      logger: pino({ level: 'silent' }),
      now: () => now,
    });
    await fc.assert(
      fc.asyncProperty(fc.array(queueBodies, { minLength: 1, maxLength: 20 }), async (bodies) => {
        stored.length = 0;
        letters.length = 0;
        const messages = bodies.map(queued);
        const { deletable, retry } = await processor.process(messages);
        expect(retry).toEqual([]);
        expect(new Set(deletable)).toEqual(new Set(messages));
        // Presence bodies (from fc.json) are applied; the rest is stored or dead-lettered.
        expect(stored.length + letters.length).toBeLessThanOrEqual(messages.length);
        for (const letter of letters) expect(isClearReason(letter.reason)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });
});
