/**
 * The SNS stand-in as the launcher wires it into the local cloud: on the one AWS port with the
 * issued root keys, delivering `sqs` subscriptions into the SQS stand-in, its signing certificate
 * and the local mailbox served on the AWS port behind the same Host and Origin checks as
 * `/_fleet/status`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { CreateTopicCommand, PublishCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { freePort } from '@fleet/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../launcher/local-cloud.ts';

describe('SNS in the local cloud', () => {
  let cloud: LocalCloud;
  let dataDir: string;
  let sns: SNSClient;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'sns-local-cloud-'));
    cloud = await startLocalCloud({
      dataDir,
      host: '127.0.0.1',
      awsPort: await freePort(),
      mqttPort: await freePort(),
      mqttWebSocketPort: await freePort(),
      iotHttpsPort: await freePort(),
      log: pino({ level: 'silent' }),
    });
    sns = new SNSClient({
      endpoint: cloud.endpoints.awsEndpoint,
      region: cloud.endpoints.region,
      credentials: cloud.credentials,
      maxAttempts: 1,
    });
  }, 60_000);
  afterAll(async () => {
    sns?.destroy();
    await cloud?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('delivers a Publish into a subscribed SQS queue of the SQS stand-in', async () => {
    const { QueueUrl } = await cloud.clients.sqs.send(new CreateQueueCommand({ QueueName: 'sns-alarms' }));
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'alarms' }));
    await sns.send(
      new SubscribeCommand({
        TopicArn,
        Protocol: 'sqs',
        Endpoint: 'arn:aws:sqs:us-east-1:000000000000:sns-alarms',
        Attributes: { RawMessageDelivery: 'true' },
      }),
    );
    await sns.send(new PublishCommand({ TopicArn, Message: 'device d1 too hot' }));
    const { Messages } = await cloud.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 5 }));
    expect(Messages?.map((m) => m.Body)).toEqual(['device d1 too hot']);
    await cloud.clients.sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: Messages![0]!.ReceiptHandle }));
  });

  it('serves the signing certificate and the mailbox on the AWS port', async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'mail' }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'email', Endpoint: 'admin@example.com' }));
    const certificate = await fetch(`${cloud.endpoints.awsEndpoint}/_fleet/sns/SimpleNotificationService.pem`);
    expect(await certificate.text()).toContain('-----BEGIN CERTIFICATE-----');
    const mailbox = (await (await fetch(`${cloud.endpoints.awsEndpoint}/_fleet/mailbox?to=admin@example.com`)).json()) as {
      messages: { to: string }[];
    };
    expect(mailbox.messages.map((m) => m.to)).toEqual(['admin@example.com']);
  });

  it('refuses the mailbox to a foreign Host (DNS rebinding) and to a foreign Origin', async () => {
    const status = (headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const url = new URL(`${cloud.endpoints.awsEndpoint}/_fleet/mailbox`);
        request({ host: url.hostname, port: url.port, path: url.pathname, headers }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
          .on('error', reject)
          .end();
      });
    expect(await status({ host: 'attacker.example' })).toBe(403);
    expect(await status({ origin: 'http://attacker.example' })).toBe(403);
  });
});
