/**
 * Durability of SNS deliveries against an abrupt stop: the stand-in runs in a child process that is
 * killed with SIGKILL (no graceful close) while its deliveries wait to be retried, then restarted on
 * the same data folder: every published message still reaches the endpoint.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateTopicCommand,
  ListSubscriptionsByTopicCommand,
  PublishCommand,
  SetTopicAttributesCommand,
  SNSClient,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startReadyChild, type ReadyChild } from '../child-process/index.ts';
import { startTestSubscriber, type TestSubscriber } from './test-subscriber.ts';

const script = fileURLToPath(new URL('./sns-server-main.ts', import.meta.url));
let dataDir: string;
let subscriber: TestSubscriber;
const children: ReadyChild[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'sns-durability-'));
  subscriber = await startTestSubscriber();
});
afterAll(async () => {
  await Promise.all(children.map((child) => child.close()));
  await subscriber.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function start(): Promise<{ child: ReadyChild; sns: SNSClient }> {
  const child = await startReadyChild({ name: 'sns', script, args: [dataDir], execArgv: ['--import', 'tsx'] });
  children.push(child);
  const sns = new SNSClient({
    endpoint: `http://127.0.0.1:${child.port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  return { child, sns };
}

it('after kill -9 and restart, delivers every published message whose delivery was still pending', async () => {
  const first = await start();
  const { TopicArn } = await first.sns.send(new CreateTopicCommand({ Name: 'durable' }));
  // Retries an hour apart: a failed delivery is still waiting when the process dies.
  await first.sns.send(
    new SetTopicAttributesCommand({
      TopicArn,
      AttributeName: 'DeliveryPolicy',
      AttributeValue: JSON.stringify({
        http: { defaultHealthyRetryPolicy: { numRetries: 3, minDelayTarget: 3600, maxDelayTarget: 3600 } },
      }),
    }),
  );
  await first.sns.send(new SubscribeCommand({ TopicArn, Protocol: 'http', Endpoint: subscriber.url }));
  const [confirmation] = await subscriber.waitFor(1);
  await fetch((JSON.parse(confirmation!.body) as { SubscribeURL: string }).SubscribeURL);
  expect((await first.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }))).Subscriptions?.[0]?.SubscriptionArn).not.toBe(
    'PendingConfirmation',
  );

  const count = 20;
  subscriber.answerNext(...Array.from({ length: count }, () => 500));
  const published = await Promise.all(
    Array.from({ length: count }, async (_, i) => (await first.sns.send(new PublishCommand({ TopicArn, Message: `m${i}` }))).MessageId),
  );
  await subscriber.waitFor(1 + count);
  first.child.process.kill('SIGKILL');
  await first.child.exited;

  const second = await start();
  const posts = await subscriber.waitFor(1 + 2 * count, 15_000);
  const delivered = new Set(
    posts
      .filter((p) => p.status === 200 && p.headers['x-amz-sns-message-type'] === 'Notification')
      .map((p) => p.headers['x-amz-sns-message-id']),
  );
  expect([...delivered].sort()).toEqual([...published].sort());
  second.sns.destroy();
  first.sns.destroy();
});
