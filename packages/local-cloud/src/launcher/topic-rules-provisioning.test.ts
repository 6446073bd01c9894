/**
 * The launcher creates the platform's rules through CreateTopicRule, once: a restart leaves an
 * unchanged rule alone and replaces one whose definition changed (as a CDK deployment would).
 */
import { GetTopicRuleCommand } from '@aws-sdk/client-iot';
import { ingestQueue, rules, telemetryIngestRule } from '@fleet/core';
import { afterEach, describe, expect, it } from 'vitest';
import { startFixture, type Fixture } from '../testing/iot-fixture.ts';
import { ensureTopicRules } from './topic-rules-provisioning.ts';

const targets = {
  queueUrl: (id: string) => `http://127.0.0.1:4566/000000000000/${id}`,
  bucketName: (id: string) => id,
  tableName: (id: string) => id,
  topicArn: (id: string) => `arn:aws:sns:us-east-1:000000000000:${id}`,
  roleArn: 'arn:aws:iam::000000000000:role/fleet-iot-rules',
};

let fixture: Fixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

describe('platform topic rules at provisioning', () => {
  it("finds every one of the platform's rules unchanged on the next start", async () => {
    fixture = await startFixture();
    const names = rules.map((r) => r.name);
    expect(await ensureTopicRules(fixture.control, rules, targets)).toEqual(Object.fromEntries(names.map((n) => [n, 'created'])));
    fixture = await fixture.restart();
    expect(await ensureTopicRules(fixture.control, rules, targets)).toEqual(Object.fromEntries(names.map((n) => [n, 'unchanged'])));
  });

  it('creates, then leaves unchanged, then replaces a rule whose definition changed', async () => {
    fixture = await startFixture();
    const { control } = fixture;
    expect(await ensureTopicRules(control, [telemetryIngestRule], targets)).toEqual({ fleet_telemetry_ingest: 'created' });
    expect(await ensureTopicRules(control, [telemetryIngestRule], targets)).toEqual({ fleet_telemetry_ingest: 'unchanged' });
    const changed = { ...telemetryIngestRule, description: 'a new description' };
    expect(await ensureTopicRules(control, [changed], targets)).toEqual({ fleet_telemetry_ingest: 'replaced' });
    const got = await control.send(new GetTopicRuleCommand({ ruleName: 'fleet_telemetry_ingest' }));
    expect(got.rule).toMatchObject({
      description: 'a new description',
      sql: telemetryIngestRule.sql,
      actions: [{ sqs: { queueUrl: targets.queueUrl(ingestQueue.id), roleArn: targets.roleArn, useBase64: false } }],
    });
  });
});
