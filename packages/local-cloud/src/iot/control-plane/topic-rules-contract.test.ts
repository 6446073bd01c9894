/**
 * Contract of the topic rule and topic rule destination operations through `@aws-sdk/client-iot`:
 * request and answer shapes, AWS's errors (SqlParseException with position and reason, names in use,
 * unknown rules, invalid names, too many actions, the refused lambda action), destination
 * confirmation, and durability across a restart.
 */
import {
  ConfirmTopicRuleDestinationCommand,
  CreateTopicRuleCommand,
  CreateTopicRuleDestinationCommand,
  DeleteTopicRuleCommand,
  DeleteTopicRuleDestinationCommand,
  DisableTopicRuleCommand,
  EnableTopicRuleCommand,
  GetTopicRuleCommand,
  GetTopicRuleDestinationCommand,
  ListTopicRuleDestinationsCommand,
  ListTopicRulesCommand,
  ReplaceTopicRuleCommand,
  UpdateTopicRuleDestinationCommand,
  type TopicRulePayload,
} from '@aws-sdk/client-iot';
import { afterEach, describe, expect, it } from 'vitest';
import type { DestinationConfirmation } from '../rules/topic-rules.ts';
import { accountId, region, startFixture, type Fixture } from '../../testing/iot-fixture.ts';

const roleArn = `arn:aws:iam::${accountId}:role/rules`;
const republishPayload = (sql = "SELECT * FROM 'sensors/+/data'"): TopicRulePayload => ({
  sql,
  description: 'echo',
  awsIotSqlVersion: '2016-03-23',
  ruleDisabled: false,
  actions: [{ republish: { topic: 'echo/${topic(2)}', qos: 1, roleArn } }],
  errorAction: { republish: { topic: 'errors', roleArn } },
});

let fixture: Fixture | undefined;
const confirmations: { url: string; message: DestinationConfirmation }[] = [];
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
  confirmations.length = 0;
});

async function start(): Promise<Fixture> {
  fixture = await startFixture({
    endpointUrl: 'http://127.0.0.1:4566',
    sendDestinationConfirmation: async (url, message) => void confirmations.push({ url, message }),
  });
  return fixture;
}

/** The error an SDK call rejects with: its name, HTTP status and message. */
async function failure(call: Promise<unknown>): Promise<{ name: string; status: number | undefined; message: string }> {
  const err = (await call.then(
    () => undefined,
    (e: unknown) => e,
  )) as { name: string; message: string; $metadata?: { httpStatusCode?: number } } | undefined;
  if (!err) throw new Error('the call succeeded');
  return { name: err.name, status: err.$metadata?.httpStatusCode, message: err.message };
}

describe('topic rules through @aws-sdk/client-iot', () => {
  it('creates a rule and answers GetTopicRule with its payload, ARN and creation time', async () => {
    const { control } = await start();
    const before = Math.floor(Date.now() / 1000);
    await control.send(new CreateTopicRuleCommand({ ruleName: 'echo_rule', topicRulePayload: republishPayload() }));
    const got = await control.send(new GetTopicRuleCommand({ ruleName: 'echo_rule' }));
    expect(got.ruleArn).toBe(`arn:aws:iot:${region}:${accountId}:rule/echo_rule`);
    expect(got.rule).toEqual({
      ruleName: 'echo_rule',
      sql: "SELECT * FROM 'sensors/+/data'",
      description: 'echo',
      createdAt: expect.any(Date),
      actions: [{ republish: { topic: 'echo/${topic(2)}', qos: 1, roleArn } }],
      errorAction: { republish: { topic: 'errors', roleArn } },
      ruleDisabled: false,
      awsIotSqlVersion: '2016-03-23',
    });
    expect(Math.floor((got.rule?.createdAt?.getTime() ?? 0) / 1000)).toBeGreaterThanOrEqual(before);
  });

  it('replaces, disables and enables a rule; ListTopicRules filters by topic and ruleDisabled and pages', async () => {
    const { control } = await start();
    await control.send(new CreateTopicRuleCommand({ ruleName: 'a_rule', topicRulePayload: republishPayload() }));
    await control.send(new CreateTopicRuleCommand({ ruleName: 'b_rule', topicRulePayload: republishPayload("SELECT * FROM 'other/#'") }));
    await control.send(new CreateTopicRuleCommand({ ruleName: 'c_rule', topicRulePayload: republishPayload() }));
    await control.send(new ReplaceTopicRuleCommand({ ruleName: 'c_rule', topicRulePayload: { ...republishPayload(), description: 'v2' } }));
    expect((await control.send(new GetTopicRuleCommand({ ruleName: 'c_rule' }))).rule?.description).toBe('v2');
    await control.send(new DisableTopicRuleCommand({ ruleName: 'a_rule' }));
    expect((await control.send(new GetTopicRuleCommand({ ruleName: 'a_rule' }))).rule?.ruleDisabled).toBe(true);

    const first = await control.send(new ListTopicRulesCommand({ maxResults: 2 }));
    expect(first.rules?.map((r) => [r.ruleName, r.topicPattern, r.ruleDisabled])).toEqual([
      ['a_rule', 'sensors/+/data', true],
      ['b_rule', 'other/#', false],
    ]);
    expect(first.rules?.[0]?.ruleArn).toBe(`arn:aws:iot:${region}:${accountId}:rule/a_rule`);
    const rest = await control.send(new ListTopicRulesCommand({ maxResults: 2, nextToken: first.nextToken }));
    expect(rest.rules?.map((r) => r.ruleName)).toEqual(['c_rule']);
    expect(rest.nextToken).toBeUndefined();
    const bySensors = await control.send(new ListTopicRulesCommand({ topic: 'sensors/+/data' }));
    expect(bySensors.rules?.map((r) => r.ruleName)).toEqual(['a_rule', 'c_rule']);
    const disabled = await control.send(new ListTopicRulesCommand({ ruleDisabled: true }));
    expect(disabled.rules?.map((r) => r.ruleName)).toEqual(['a_rule']);

    await control.send(new EnableTopicRuleCommand({ ruleName: 'a_rule' }));
    expect((await control.send(new GetTopicRuleCommand({ ruleName: 'a_rule' }))).rule?.ruleDisabled).toBe(false);
    await control.send(new DeleteTopicRuleCommand({ ruleName: 'a_rule' }));
    expect((await control.send(new ListTopicRulesCommand({}))).rules?.map((r) => r.ruleName)).toEqual(['b_rule', 'c_rule']);
  });

  it('answers SqlParseException (400) with the position and the reason of a bad statement', async () => {
    const { control } = await start();
    const bad = await failure(
      control.send(new CreateTopicRuleCommand({ ruleName: 'bad', topicRulePayload: republishPayload("SELECT * FORM 'a/b'") })),
    );
    expect(bad).toMatchObject({ name: 'SqlParseException', status: 400 });
    expect(bad.message).toMatch(/^Line 1:\d+: \S/);
    const noFilter = await failure(
      control.send(new CreateTopicRuleCommand({ ruleName: 'bad', topicRulePayload: republishPayload("SELECT * FROM 'a/#/b'") })),
    );
    expect(noFilter).toMatchObject({ name: 'SqlParseException' });
    expect(noFilter.message).toContain('"#" must be a whole level and the last one');
    expect(await failure(control.send(new GetTopicRuleCommand({ ruleName: 'bad' })))).toMatchObject({ name: 'UnauthorizedException' });
  });

  it('refuses a name in use, an invalid name and unknown rules as AWS does', async () => {
    const { control } = await start();
    await control.send(new CreateTopicRuleCommand({ ruleName: 'taken', topicRulePayload: republishPayload() }));
    expect(
      await failure(control.send(new CreateTopicRuleCommand({ ruleName: 'taken', topicRulePayload: republishPayload() }))),
    ).toMatchObject({
      name: 'ResourceAlreadyExistsException',
      status: 409,
    });
    expect(
      await failure(control.send(new CreateTopicRuleCommand({ ruleName: 'has-dash', topicRulePayload: republishPayload() }))),
    ).toMatchObject({ name: 'InvalidRequestException', status: 400, message: expect.stringContaining('has-dash') });
    for (const call of [
      () => control.send(new GetTopicRuleCommand({ ruleName: 'nope' })),
      () => control.send(new ReplaceTopicRuleCommand({ ruleName: 'nope', topicRulePayload: republishPayload() })),
      () => control.send(new DeleteTopicRuleCommand({ ruleName: 'nope' })),
      () => control.send(new EnableTopicRuleCommand({ ruleName: 'nope' })),
      () => control.send(new DisableTopicRuleCommand({ ruleName: 'nope' })),
    ]) {
      expect(await failure(call())).toMatchObject({ name: 'UnauthorizedException', status: 401 });
    }
  });

  it('refuses more than 10 actions, a malformed roleArn, an action with two kinds, and lambda (no Lambda runtime)', async () => {
    const { control } = await start();
    const create = (payload: TopicRulePayload) =>
      failure(control.send(new CreateTopicRuleCommand({ ruleName: 'r', topicRulePayload: payload })));
    const eleven = Array.from({ length: 11 }, () => ({ republish: { topic: 't', roleArn } }));
    expect(await create({ ...republishPayload(), actions: eleven })).toMatchObject({
      name: 'InvalidRequestException',
      message: expect.stringContaining('at most 10'),
    });
    expect(await create({ ...republishPayload(), actions: [{ republish: { topic: 't', roleArn: 'role/rules' } }] })).toMatchObject({
      name: 'InvalidRequestException',
      message: expect.stringContaining('roleArn "role/rules" is not an IAM role ARN'),
    });
    expect(
      await create({ ...republishPayload(), actions: [{ republish: { topic: 't', roleArn }, sqs: { queueUrl: 'http://q', roleArn } }] }),
    ).toMatchObject({ name: 'InvalidRequestException', message: expect.stringContaining('exactly one action') });
    const lambda = await create({
      ...republishPayload(),
      actions: [{ lambda: { functionArn: `arn:aws:lambda:${region}:${accountId}:function:f` } }],
    });
    expect(lambda).toMatchObject({ name: 'InvalidRequestException', status: 400 });
    expect(lambda.message).toContain('the local cloud has no Lambda runtime');
    expect((await control.send(new ListTopicRulesCommand({}))).rules).toEqual([]);
  });

  it('keeps rules across a restart (persisted before the answer)', async () => {
    const first = await start();
    await first.control.send(new CreateTopicRuleCommand({ ruleName: 'kept', topicRulePayload: republishPayload() }));
    await first.control.send(new DisableTopicRuleCommand({ ruleName: 'kept' }));
    fixture = await first.restart();
    const got = await fixture.control.send(new GetTopicRuleCommand({ ruleName: 'kept' }));
    expect(got.rule).toMatchObject({ sql: "SELECT * FROM 'sensors/+/data'", ruleDisabled: true });
  });
});

describe('topic rule destinations through @aws-sdk/client-iot', () => {
  it('creates an HTTP destination IN_PROGRESS, POSTs the confirmation message, and ENABLED once confirmed', async () => {
    const { control, iot } = await start();
    const created = await control.send(
      new CreateTopicRuleDestinationCommand({
        destinationConfiguration: { httpUrlConfiguration: { confirmationUrl: 'https://hooks.example.com/fleet' } },
      }),
    );
    const arn = created.topicRuleDestination?.arn as string;
    expect(arn).toMatch(new RegExp(`^arn:aws:iot:${region}:${accountId}:ruledestination/http/[0-9a-f-]{36}$`));
    expect(created.topicRuleDestination).toMatchObject({
      status: 'IN_PROGRESS',
      httpUrlProperties: { confirmationUrl: 'https://hooks.example.com/fleet' },
    });
    await iot.topicRules.settled();
    expect(confirmations).toEqual([
      {
        url: 'https://hooks.example.com/fleet',
        message: {
          arn,
          confirmationToken: expect.stringMatching(/^[0-9a-f]{64}$/),
          enableUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:4566\/confirmdestination\/[0-9a-f]{64}$/),
          messageType: 'DestinationConfirmation',
        },
      },
    ]);
    await control.send(new ConfirmTopicRuleDestinationCommand({ confirmationToken: confirmations[0]!.message.confirmationToken }));
    expect((await control.send(new GetTopicRuleDestinationCommand({ arn }))).topicRuleDestination).toMatchObject({
      arn,
      status: 'ENABLED',
      createdAt: expect.any(Date),
      lastUpdatedAt: expect.any(Date),
    });
    expect(await failure(control.send(new ConfirmTopicRuleDestinationCommand({ confirmationToken: 'not-a-token' })))).toMatchObject({
      name: 'InvalidRequestException',
    });
  });

  it('lists, disables, re-enables and deletes destinations; an unknown ARN is ResourceNotFoundException', async () => {
    const { control, iot } = await start();
    const create = (url: string) =>
      control.send(new CreateTopicRuleDestinationCommand({ destinationConfiguration: { httpUrlConfiguration: { confirmationUrl: url } } }));
    const a = (await create('https://a.example.com/')).topicRuleDestination?.arn as string;
    await create('https://b.example.com/');
    expect(await failure(create('https://a.example.com/'))).toMatchObject({ name: 'ResourceAlreadyExistsException' });
    await iot.topicRules.settled();
    const listed = await control.send(new ListTopicRuleDestinationsCommand({}));
    expect(listed.destinationSummaries?.map((d) => [d.httpUrlSummary?.confirmationUrl, d.status])).toEqual([
      ['https://a.example.com/', 'IN_PROGRESS'],
      ['https://b.example.com/', 'IN_PROGRESS'],
    ]);
    // Enabling needs a confirmation first.
    expect(await failure(control.send(new UpdateTopicRuleDestinationCommand({ arn: a, status: 'ENABLED' })))).toMatchObject({
      name: 'InvalidRequestException',
    });
    await control.send(new ConfirmTopicRuleDestinationCommand({ confirmationToken: confirmations[0]!.message.confirmationToken }));
    await control.send(new UpdateTopicRuleDestinationCommand({ arn: a, status: 'DISABLED' }));
    expect((await control.send(new GetTopicRuleDestinationCommand({ arn: a }))).topicRuleDestination?.status).toBe('DISABLED');
    await control.send(new UpdateTopicRuleDestinationCommand({ arn: a, status: 'ENABLED' }));
    expect((await control.send(new GetTopicRuleDestinationCommand({ arn: a }))).topicRuleDestination?.status).toBe('ENABLED');
    await control.send(new DeleteTopicRuleDestinationCommand({ arn: a }));
    expect(await failure(control.send(new GetTopicRuleDestinationCommand({ arn: a })))).toMatchObject({
      name: 'ResourceNotFoundException',
      status: 404,
    });
  });

  it('marks a destination ERROR when its confirmation URL cannot be reached', async () => {
    fixture = await startFixture({ sendDestinationConfirmation: () => Promise.reject(new Error('connect ECONNREFUSED')) });
    const created = await fixture.control.send(
      new CreateTopicRuleDestinationCommand({
        destinationConfiguration: { httpUrlConfiguration: { confirmationUrl: 'https://down.example.com/' } },
      }),
    );
    await fixture.iot.topicRules.settled();
    const got = await fixture.control.send(new GetTopicRuleDestinationCommand({ arn: created.topicRuleDestination?.arn }));
    expect(got.topicRuleDestination).toMatchObject({ status: 'ERROR', statusReason: expect.stringContaining('ECONNREFUSED') });
  });
});
