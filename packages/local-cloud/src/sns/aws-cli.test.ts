/**
 * Interop with a client nobody here wrote: the AWS CLI v1 (botocore's Query serializer and XML
 * parser) creates a topic, subscribes an HTTP endpoint, an e-mail address and publishes, signed
 * with the root keys against the endpoint's SigV4 and IAM checks.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rootKeys, startSnsHarness, testRegion, type SnsHarness } from './sns-test-harness.ts';
import { startTestSubscriber, type TestSubscriber } from './test-subscriber.ts';

const run = promisify(execFile);
const awsCliInstalled = await run('aws', ['--version']).then(
  () => true,
  () => false,
);
if (!awsCliInstalled) console.warn('sns aws-cli: the AWS CLI is missing; skipping the aws sns tests.');

describe.skipIf(!awsCliInstalled)('aws sns (AWS CLI v1)', () => {
  let harness: SnsHarness;
  let subscriber: TestSubscriber;
  let home: string;
  beforeAll(async () => {
    harness = await startSnsHarness();
    subscriber = await startTestSubscriber();
    home = await mkdtemp(join(tmpdir(), 'sns-cli-'));
  });
  afterAll(async () => {
    await harness.close();
    await subscriber.close();
    await rm(home, { recursive: true, force: true });
  });

  const cli = async (...args: string[]): Promise<Record<string, unknown>> => {
    const { stdout } = await run(
      'aws',
      ['--endpoint-url', harness.endpointUrl, '--region', testRegion, '--output', 'json', 'sns', ...args],
      {
        env: {
          PATH: process.env.PATH,
          HOME: home,
          AWS_ACCESS_KEY_ID: rootKeys.accessKeyId,
          AWS_SECRET_ACCESS_KEY: rootKeys.secretAccessKey,
        },
      },
    );
    return stdout.trim() === '' ? {} : (JSON.parse(stdout) as Record<string, unknown>);
  };

  it('creates a topic, subscribes, confirms, publishes with attributes and lists, as on AWS', async () => {
    const { TopicArn } = (await cli('create-topic', '--name', 'cli-alarms', '--attributes', 'DisplayName=CLI')) as { TopicArn: string };
    expect(TopicArn).toBe('arn:aws:sns:us-east-1:000000000000:cli-alarms');
    expect(await cli('subscribe', '--topic-arn', TopicArn, '--protocol', 'http', '--notification-endpoint', subscriber.url)).toEqual({
      SubscriptionArn: 'pending confirmation',
    });
    const [confirmation] = await subscriber.waitFor(1);
    const { Token } = JSON.parse(confirmation!.body) as { Token: string };
    const confirmed = (await cli('confirm-subscription', '--topic-arn', TopicArn, '--token', Token)) as { SubscriptionArn: string };
    expect(confirmed.SubscriptionArn).toMatch(new RegExp(`^${TopicArn}:`));
    await cli('subscribe', '--topic-arn', TopicArn, '--protocol', 'email', '--notification-endpoint', 'cli@example.com');

    const { MessageId } = (await cli(
      'publish',
      '--topic-arn',
      TopicArn,
      '--subject',
      'From the CLI',
      '--message',
      'hello from aws sns publish',
      '--message-attributes',
      '{"severity":{"DataType":"String","StringValue":"high"}}',
    )) as { MessageId: string };
    const [, notification] = await subscriber.waitFor(2);
    expect(JSON.parse(notification!.body)).toMatchObject({
      Type: 'Notification',
      MessageId,
      Subject: 'From the CLI',
      Message: 'hello from aws sns publish',
      MessageAttributes: { severity: { Type: 'String', Value: 'high' } },
    });

    const { Subscriptions } = (await cli('list-subscriptions-by-topic', '--topic-arn', TopicArn)) as {
      Subscriptions: { Protocol: string; SubscriptionArn: string }[];
    };
    expect(Subscriptions.map((s) => [s.Protocol, s.SubscriptionArn === 'PendingConfirmation'])).toEqual([
      ['http', false],
      ['email', true],
    ]);
    const { Attributes } = (await cli('get-topic-attributes', '--topic-arn', TopicArn)) as { Attributes: Record<string, string> };
    expect(Attributes).toMatchObject({ DisplayName: 'CLI', SubscriptionsConfirmed: '1', SubscriptionsPending: '1' });
  });

  it("reports SNS's NotFound error through the CLI", async () => {
    await expect(cli('get-topic-attributes', '--topic-arn', 'arn:aws:sns:us-east-1:000000000000:none')).rejects.toMatchObject({
      stderr: expect.stringContaining('(NotFound) when calling the GetTopicAttributes operation: Topic does not exist'),
    });
  });
});
