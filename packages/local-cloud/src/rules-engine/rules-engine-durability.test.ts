/**
 * What the engine answers the broker about each message: durable (its actions, or its error action,
 * stored it) or not (the broker then withholds the PUBACK). Poison payloads are dead-lettered with
 * a reason instead of vanishing, and messages the service publishes itself cannot deadlock it.
 */
import { rules as sharedRules, topics } from '@fleet/core';
import { describe, expect, it } from 'vitest';
import type { RulesEngine } from './rules-engine.ts';
import { bodyOf, failsWith, message, openableGate, rule, setup } from '../testing/rules-engine-test-kit.ts';

/** JSON nested `depth` levels deep: parses fine, overflows the stack of a recursive serialiser. */
const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

describe('rules engine durability', () => {
  it('answers durable when the actions succeeded', async () => {
    const t = setup([rule([{ kind: 'sqs', queueId: 'q1' }])]);
    expect(await t.engine.handle(message({ temperature: 1 }))).toEqual({ durable: true });
  });

  it('answers durable when an action failed but the error action stored the message', async () => {
    const t = setup([rule([{ kind: 'sqs', queueId: 'q1' }])], {
      sqs: failsWith('queue down'),
    });
    expect(await t.engine.handle(message({ temperature: 1 }))).toEqual({ durable: true });
    expect(t.s3).toHaveLength(1);
  });

  it('answers not durable, with both reasons, when the action and the error action failed', async () => {
    const t = setup([rule([{ kind: 'sqs', queueId: 'q1' }])], {
      sqs: failsWith('queue down'),
      s3: failsWith('bucket gone'),
    });
    const outcome = await t.engine.handle(message({ temperature: 1 }));
    expect(outcome).toMatchObject({ durable: false });
    expect(outcome.durable ? '' : outcome.reason).toMatch(/queue down.*error action failed too.*bucket gone/);
  });

  it('dead-letters a message whose SQL evaluation throws, with the reason, instead of dropping it', async () => {
    // lower() of an object serialises it to JSON; 20,000 levels overflow JSON.stringify's stack.
    const payload = `{"a":${nested(20_000)}}`;
    const t = setup([rule([{ kind: 'sqs', queueId: 'q1' }], "SELECT lower(a) AS x FROM 'fleet/devices/+/telemetry'")]);
    const outcome = await t.engine.handle(message(payload));
    expect(outcome).toEqual({ durable: true });
    expect(t.sqs).toHaveLength(0);
    const letter = bodyOf(t.s3[0]) as { failures: { failedAction: string; errorMessage: string }[]; base64OriginalPayload: string };
    expect(letter.failures).toEqual([
      expect.objectContaining({ failedAction: 'RuleEvaluation', errorMessage: expect.stringMatching(/Maximum call stack size exceeded/) }),
    ]);
    expect(Buffer.from(letter.base64OriginalPayload, 'base64').toString()).toBe(payload);
    expect(t.engine.stats().rules.test_rule).toMatchObject({ evaluationErrors: 1, failed: 1 });
  });

  it('passes a deeply nested telemetry payload through the shared rules to the ingest queue, untouched', async () => {
    const payload = `{"ts":${nested(60_000)},"seq":1,"temperature":90}`;
    const t = setup(sharedRules);
    expect(await t.engine.handle(message(payload, topics.telemetry('dev-1')))).toEqual({ durable: true });
    const body = JSON.parse(String(t.sqs[0]?.input.MessageBody)) as { payload: string };
    expect(Buffer.from(body.payload, 'base64').toString()).toBe(payload);
    // The alert rules compare `temperature`: a number here, so they fire without throwing.
    expect(Object.values(t.engine.stats().rules).every((r) => r.evaluationErrors === 0)).toBe(true);
  });

  it('admits a message the service publishes while every slot is taken (a republish cannot deadlock)', async () => {
    const gate = openableGate();
    let engine: RulesEngine | undefined;
    const t = setup(
      [
        rule([{ kind: 'republish', topic: 'fleet/devices/${topic(3)}/echo', qos: 1 }], "SELECT * FROM 'fleet/devices/+/telemetry'"),
        rule([{ kind: 'sqs', queueId: 'q1' }], "SELECT * FROM 'fleet/devices/+/echo'"),
      ],
      { sqs: () => gate.promise },
      {
        maxInFlight: 1,
        // As the broker does: a turn of the event loop later, the republished message goes through the
        // engine before the publish resolves.
        republish: async (topic, payload) => {
          await new Promise((resolve) => setImmediate(resolve));
          await engine?.handle({ topic, payload, clientId: '', timestamp: Date.now() }, { fromService: true });
        },
      },
    );
    engine = t.engine;
    const first = t.engine.handle(message({ temperature: 1 }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    gate.resolve();
    expect(await first).toEqual({ durable: true });
    expect(t.sqs).toHaveLength(1);
  });
});
