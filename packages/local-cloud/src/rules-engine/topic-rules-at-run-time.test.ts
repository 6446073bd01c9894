/**
 * A rule created through the control plane (`@aws-sdk/client-iot`) runs for the next message, and
 * stops or runs again as it is disabled, enabled and deleted: seen by an MQTT subscriber (mqtt.js)
 * of its republish action.
 */
import {
  CreateTopicRuleCommand,
  DeleteTopicRuleCommand,
  DisableTopicRuleCommand,
  EnableTopicRuleCommand,
  ReplaceTopicRuleCommand,
} from '@aws-sdk/client-iot';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../testing/mqtt-test-client.ts';
import { received, roleArn, settle, startRunTimeRules, type RunTimeRules } from './run-time-test-kit.ts';

let t: RunTimeRules | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const echoRule = (target: string) => ({
  sql: "SELECT value, topic(2) AS sensor FROM 'sensors/+/data'",
  awsIotSqlVersion: '2016-03-23',
  actions: [{ republish: { topic: `${target}/\${topic(2)}`, qos: 1, roleArn } }],
});

describe('topic rules at run time', () => {
  it('runs a rule from its creation, stops it when disabled or deleted, runs it again when enabled or replaced', async () => {
    t = await startRunTimeRules();
    const { control } = t.fixture;
    const subscriber = await t.client('subscriber');
    const seen = received(subscriber);
    await subscriber.subscribeAsync('echo/#', { qos: 1 });
    await subscriber.subscribeAsync('echo2/#', { qos: 1 });
    const device = await t.client('device');
    const publish = (value: number) => device.publishAsync('sensors/s1/data', JSON.stringify({ value }), { qos: 1 });

    await publish(0);
    await settle();
    expect(seen).toEqual([]);

    await control.send(new CreateTopicRuleCommand({ ruleName: 'echo', topicRulePayload: echoRule('echo') }));
    await publish(1);
    await eventually(() => seen.length === 1, 5000, 'the republished message');
    expect(seen).toEqual(['echo/s1 {"value":1,"sensor":"s1"}']);

    await control.send(new DisableTopicRuleCommand({ ruleName: 'echo' }));
    await publish(2);
    await settle();
    expect(seen).toHaveLength(1);

    await control.send(new EnableTopicRuleCommand({ ruleName: 'echo' }));
    await publish(3);
    await eventually(() => seen.length === 2, 5000, 'the message after enabling');
    expect(seen[1]).toBe('echo/s1 {"value":3,"sensor":"s1"}');

    await control.send(new ReplaceTopicRuleCommand({ ruleName: 'echo', topicRulePayload: echoRule('echo2') }));
    await publish(4);
    await eventually(() => seen.length === 3, 5000, 'the message after replacing');
    expect(seen[2]).toBe('echo2/s1 {"value":4,"sensor":"s1"}');

    await control.send(new DeleteTopicRuleCommand({ ruleName: 'echo' }));
    await publish(5);
    await settle();
    expect(seen).toHaveLength(3);
    expect(t.engine.stats().rules).toEqual({});
  });

  it('finishes a message in flight with the rule set it started with', async () => {
    let release: (() => void) | undefined;
    const republished: string[] = [];
    t = await startRunTimeRules({
      republish: async (topic) => {
        // The first republish waits until the test deleted the rule.
        if (republished.length === 0) await new Promise<void>((resolve) => (release = resolve));
        republished.push(topic);
      },
    });
    const { control } = t.fixture;
    await control.send(new CreateTopicRuleCommand({ ruleName: 'slow', topicRulePayload: echoRule('slow') }));
    const device = await t.client('device');
    const acknowledged = device.publishAsync('sensors/s1/data', '{"value":1}', { qos: 1 });
    await eventually(() => release !== undefined, 5000, 'the action to start');
    await control.send(new DeleteTopicRuleCommand({ ruleName: 'slow' }));
    release?.();
    await acknowledged;
    expect(republished).toEqual(['slow/s1']);
    await device.publishAsync('sensors/s1/data', '{"value":2}', { qos: 1 });
    await settle(100);
    expect(republished).toEqual(['slow/s1']);
  });
});
