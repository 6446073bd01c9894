/**
 * Basic Ingest (https://docs.aws.amazon.com/iot/latest/developerguide/iot-basic-ingest.html): a
 * publish to `$aws/rules/<rule>/<topic>` reaches that rule only, evaluated on `<topic>`; no
 * subscriber (of `#` or `$aws/rules/#`) and no other rule sees it; the PUBACK still comes once the
 * rule's actions are done; an unknown or disabled rule drops the message.
 */
import { CreateTopicRuleCommand, DisableTopicRuleCommand } from '@aws-sdk/client-iot';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../testing/mqtt-test-client.ts';
import { received, roleArn, settle, startRunTimeRules, type RunTimeRules } from './run-time-test-kit.ts';

let t: RunTimeRules | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const republishTo = (target: string) => ({
  sql: "SELECT topic() AS t, topic(2) AS second, value FROM 'x/#'",
  awsIotSqlVersion: '2016-03-23',
  actions: [{ republish: { topic: target, qos: 1, roleArn } }],
});

describe('Basic Ingest', () => {
  it('sends $aws/rules/r/x/y to rule r only, as topic x/y; subscribers and other rules see nothing', async () => {
    t = await startRunTimeRules();
    const { control } = t.fixture;
    await control.send(new CreateTopicRuleCommand({ ruleName: 'r', topicRulePayload: republishTo('out/r') }));
    await control.send(new CreateTopicRuleCommand({ ruleName: 'other', topicRulePayload: republishTo('out/other') }));
    const subscriber = await t.client('subscriber');
    const seen = received(subscriber);
    await subscriber.subscribeAsync(['#', '$aws/rules/#', 'out/#'], { qos: 1 });
    const device = await t.client('device');

    await device.publishAsync('$aws/rules/r/x/y', '{"value":7}', { qos: 1 });
    await eventually(() => seen.length > 0, 5000, 'the rule output');
    await settle();
    expect(seen).toEqual(['out/r {"t":"x/y","second":"y","value":7}']);
    expect(t.engine.stats().rules).toMatchObject({ r: { matched: 1 }, other: { matched: 0 } });
  });

  it('runs a rule without FROM for its own Basic Ingest messages only', async () => {
    t = await startRunTimeRules();
    const { control } = t.fixture;
    await control.send(
      new CreateTopicRuleCommand({
        ruleName: 'direct',
        topicRulePayload: {
          sql: 'SELECT topic() AS t, value',
          awsIotSqlVersion: '2016-03-23',
          actions: [{ republish: { topic: 'out/direct', qos: 1, roleArn } }],
        },
      }),
    );
    const subscriber = await t.client('subscriber');
    const seen = received(subscriber);
    await subscriber.subscribeAsync(['out/#'], { qos: 1 });
    const device = await t.client('device');
    await device.publishAsync('$aws/rules/direct/a/b', '{"value":5}', { qos: 1 });
    await eventually(() => seen.length > 0, 5000, 'the rule output');
    expect(seen).toEqual(['out/direct {"t":"a/b","value":5}']);
  });

  it('acknowledges and drops a message for an unknown or disabled rule, and one its rule filter does not match', async () => {
    t = await startRunTimeRules();
    const { control } = t.fixture;
    await control.send(new CreateTopicRuleCommand({ ruleName: 'r', topicRulePayload: republishTo('out/r') }));
    const subscriber = await t.client('subscriber');
    const seen = received(subscriber);
    await subscriber.subscribeAsync(['out/#'], { qos: 1 });
    const device = await t.client('device');
    await device.publishAsync('$aws/rules/unknown/x/y', '{"value":1}', { qos: 1 });
    await device.publishAsync('$aws/rules/r/z/y', '{"value":2}', { qos: 1 });
    await control.send(new DisableTopicRuleCommand({ ruleName: 'r' }));
    await device.publishAsync('$aws/rules/r/x/y', '{"value":3}', { qos: 1 });
    await settle();
    expect(seen).toEqual([]);
    expect(device.connected).toBe(true);
  });

  it('holds the PUBACK until the rule action is done', async () => {
    let release: (() => void) | undefined;
    t = await startRunTimeRules({
      republish: () => new Promise<void>((resolve) => (release = resolve)),
    });
    await t.fixture.control.send(new CreateTopicRuleCommand({ ruleName: 'r', topicRulePayload: republishTo('out/r') }));
    const device = await t.client('device');
    let acknowledged = false;
    const puback = device.publishAsync('$aws/rules/r/x/y', '{"value":1}', { qos: 1 }).then(() => (acknowledged = true));
    await eventually(() => release !== undefined, 5000, 'the action to start');
    await settle(100);
    expect(acknowledged).toBe(false);
    release?.();
    await puback;
    expect(acknowledged).toBe(true);
  });
});
