/**
 * MQTT payload fuzz of the rules engine with the shared rule definitions (fast-check): whatever a
 * device publishes on its telemetry topic — nested, huge numbers, invalid UTF-8, wrong types, 128 KB
 * — the engine never throws, answers durable, and the ingest rule puts the payload on the queue
 * untouched (the Data Service then stores it or dead-letters it with its reason).
 */
import { rules as sharedRules, topics } from '@fleet/core';
import { mqttPayloads } from '@fleet/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { setup } from '../testing/rules-engine-test-kit.ts';

const now = Date.UTC(2026, 0, 15);

describe('rules engine payload fuzz', () => {
  it('answers durable for any telemetry payload and queues it byte for byte', async () => {
    await fc.assert(
      fc.asyncProperty(mqttPayloads(now), async (payload) => {
        const t = setup(sharedRules);
        const outcome = await t.engine.handle({ topic: topics.telemetry('fuzz-dev'), payload, clientId: 'fuzz-dev', timestamp: now });
        expect(outcome).toEqual({ durable: true });
        const queued = t.sqs.map((call) => JSON.parse(String(call.input.MessageBody)) as { kind: string; payload: string });
        expect(queued).toHaveLength(1);
        expect(Buffer.from(queued[0]!.payload, 'base64').equals(Buffer.from(payload))).toBe(true);
        // Nothing went to the error action: the alert rules either did not match or ran their actions.
        expect(t.s3).toEqual([]);
        expect(Object.values(t.engine.stats().rules).every((r) => r.evaluationErrors === 0 && r.failed === 0)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
