/**
 * Fuzz of the device side over MQTT: whatever a device publishes under `$aws/things/<thing>/jobs/`
 * (any topic, any payload, any member of any type), it gets exactly one reply, accepted or
 * rejected with one of AWS's codes, and never the "not durable" answer that would close its
 * connection (that one is for a failing store only).
 */
import { jobsErrorCodes, parseJobsTopic } from '@fleet/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { testRegistry } from '../registry/registry-test-context.ts';
import type { JobStore } from './job-store.ts';
import { createJobsEngine } from './jobs-engine.ts';
import { createJobsMqttListener } from './jobs-mqtt-listener.ts';
import { readCreateJobInput } from './create-job-input.ts';
import { createJob } from './job-control-operations.ts';

const memoryStore: JobStore = {
  load: () => Promise.resolve({ jobs: [], executions: [] }),
  commit: () => Promise.resolve(),
  drain: () => Promise.resolve(),
  close: () => Promise.resolve(),
};

const member = fc.oneof(
  fc.constantFrom('IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'REJECTED', 'QUEUED', '$next', '', '__proto__'),
  fc.integer({ min: -2, max: 20 }),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.oneof(fc.string({ maxLength: 5 }), fc.integer())),
  fc.array(fc.integer(), { maxLength: 3 }),
);
const payload = fc.oneof(
  fc
    .record(
      {
        status: member,
        statusDetails: member,
        expectedVersion: member,
        executionNumber: member,
        stepTimeoutInMinutes: member,
        includeJobDocument: member,
        includeJobExecutionState: member,
        clientToken: member,
      },
      { requiredKeys: [] },
    )
    .map((body) => JSON.stringify(body)),
  fc.constantFrom('', 'null', '[]', '42', '"x"', '{', '{"a":1}}', '\u0000'),
  fc.string({ maxLength: 20 }),
);
const topic = fc
  .oneof(
    fc.constantFrom('get', 'start-next', 'j1/get', 'j1/update', '$next/get', 'j2/update', '$next/update', 'notify', 'j1', 'j1/get/x', ''),
    fc.stringMatching(/^[a-z$/_-]{0,12}$/),
  )
  .map((rest) => `$aws/things/t1/jobs/${rest}`);

describe('the Jobs MQTT listener under fuzz', () => {
  it('answers every request once, accepted or with an AWS code, never closing the connection', async () => {
    const registry = testRegistry();
    registry.createThing({ thingName: 't1' });
    const engine = await createJobsEngine({ store: memoryStore, registry, publish: () => Promise.resolve() });
    for (const jobId of ['j1', 'j2']) {
      const input = readCreateJobInput(jobId, { targets: [registry.arn('thing', 't1')], document: '{"a":1}' });
      await engine.run((context, tx) => createJob(context, tx, input));
    }
    const replies: { topic: string; body: { code?: string } }[] = [];
    const listener = createJobsMqttListener({
      engine,
      reply: (_clientId, replyTopic, body) => {
        replies.push({ topic: replyTopic, body: JSON.parse(body) as { code?: string } });
        return Promise.resolve(true);
      },
    });
    await fc.assert(
      fc.asyncProperty(topic, payload, async (t, p) => {
        replies.length = 0;
        const outcome = await listener({ topic: t, payload: Buffer.from(p), clientId: 't1', timestamp: 0, qos: 1 });
        expect(outcome).toBeUndefined();
        const kind = parseJobsTopic(t)?.kind;
        expect(replies).toHaveLength(kind === 'request' || kind === 'invalid' ? 1 : 0);
        for (const reply of replies) {
          expect(reply.topic.startsWith(`${t}/`)).toBe(true);
          if (reply.topic.endsWith('/rejected')) expect(jobsErrorCodes).toContain(reply.body.code);
        }
      }),
      { numRuns: 400 },
    );
    await engine.close();
  });
});
