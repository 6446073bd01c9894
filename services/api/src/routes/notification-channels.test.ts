import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { channelIdOf, pendingChannelId } from '@fleet/core';
import { pino } from 'pino';
import Fastify from 'fastify';
import { asCaller, type ApiCaller } from '../test-support/as-caller.ts';
import { awsError } from '../test-support/fake-aws-client.ts';
import { startTestApp, testConfig, type TestApp } from '../test-support/test-app.ts';
import { createLocalMailbox } from '../notifications/local-mailbox.ts';

const topic = testConfig.alarmTopicArn;
const confirmedArn = `${topic}:0b9f5c8e-0000-4000-8000-000000000001`;

let t: TestApp;
let admin: ApiCaller;
let operator: ApiCaller;

beforeAll(async () => {
  t = await startTestApp();
  admin = asCaller(t.app, await t.bearer({ groups: ['admin'], username: 'ada' }));
  operator = asCaller(t.app, await t.bearer({ groups: ['operator'], username: 'otto' }));
});
beforeEach(() => t.forgetCalls());
afterAll(async () => {
  await t.close();
});

describe('notification channel routes', () => {
  it('subscribes a webhook to the alarm topic with a severity filter policy, pending until confirmed', async () => {
    t.sns.on({ Subscribe: () => ({ SubscriptionArn: confirmedArn }) });
    const res = await admin.post('/api/notification-channels', {
      protocol: 'https',
      endpoint: 'https://hooks.example.com/alarms',
      filter: { minSeverity: 'major' },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({
      id: channelIdOf(confirmedArn),
      protocol: 'https',
      endpoint: 'https://hooks.example.com/alarms',
      status: 'pending',
      filter: { minSeverity: 'major' },
    });
    expect(t.sns.calls).toEqual([
      {
        command: 'Subscribe',
        input: {
          TopicArn: topic,
          Protocol: 'https',
          Endpoint: 'https://hooks.example.com/alarms',
          ReturnSubscriptionArn: true,
          Attributes: { FilterPolicy: JSON.stringify({ severity: ['critical', 'major'] }) },
        },
      },
    ]);
  });

  it('refuses an endpoint that does not suit its protocol', async () => {
    const res = await admin.post('/api/notification-channels', { protocol: 'email', endpoint: 'https://not-a-mail' });
    expect([res.statusCode, res.json().code]).toEqual([400, 'ValidationError']);
    expect(t.sns.calls).toEqual([]);
  });

  it('lists confirmed channels with their filter and pending ones by endpoint, skipping other protocols', async () => {
    t.sns.on({
      ListSubscriptionsByTopic: () => ({
        Subscriptions: [
          { SubscriptionArn: confirmedArn, Protocol: 'email', Endpoint: 'ops@example.com' },
          { SubscriptionArn: 'PendingConfirmation', Protocol: 'https', Endpoint: 'https://hooks.example.com/a' },
          { SubscriptionArn: `${topic}:sqs`, Protocol: 'sqs', Endpoint: 'arn:aws:sqs:us-east-1:000000000000:q' },
        ],
      }),
      GetSubscriptionAttributes: () => ({ Attributes: { FilterPolicy: JSON.stringify({ severity: ['critical'] }) } }),
    });
    const res = await admin.get('/api/notification-channels');
    expect(res.json()).toEqual({
      channels: [
        {
          id: channelIdOf(confirmedArn),
          protocol: 'email',
          endpoint: 'ops@example.com',
          status: 'confirmed',
          filter: { minSeverity: 'critical' },
        },
        {
          id: pendingChannelId('https', 'https://hooks.example.com/a'),
          protocol: 'https',
          endpoint: 'https://hooks.example.com/a',
          status: 'pending',
        },
      ],
    });
  });

  it('unsubscribes a channel by its id, and answers ChannelNotFound for a subscription of another topic or an unknown one', async () => {
    let unsubscribed = '';
    t.sns.on({
      Unsubscribe: (input) => {
        if (input['SubscriptionArn'] !== confirmedArn) throw awsError('NotFoundException');
        unsubscribed = String(input['SubscriptionArn']);
        return {};
      },
    });
    expect((await admin.delete(`/api/notification-channels/${channelIdOf(confirmedArn)}`)).statusCode).toBe(204);
    expect(unsubscribed).toBe(confirmedArn);
    const foreign = await admin.delete(`/api/notification-channels/${channelIdOf('arn:aws:sns:us-east-1:000000000000:other:1')}`);
    expect([foreign.statusCode, foreign.json().code]).toEqual([404, 'ChannelNotFound']);
    const unknown = await admin.delete(`/api/notification-channels/${channelIdOf(`${topic}:gone`)}`);
    expect([unknown.statusCode, unknown.json().code]).toEqual([404, 'ChannelNotFound']);
  });

  it('explains that a pending channel cannot be removed', async () => {
    const res = await admin.delete(`/api/notification-channels/${pendingChannelId('email', 'a@example.com')}`);
    expect([res.statusCode, res.json().code]).toEqual([409, 'Conflict']);
  });

  it('is for admins only', async () => {
    expect((await operator.get('/api/notification-channels')).statusCode).toBe(403);
    expect((await operator.post('/api/notification-channels', { protocol: 'email', endpoint: 'a@example.com' })).statusCode).toBe(403);
    expect(t.sns.calls).toEqual([]);
  });

  it('answers 404 for the mailbox on a platform without one (AWS)', async () => {
    const res = await admin.get('/api/notification-channels/mailbox');
    expect(res.statusCode).toBe(404);
    expect(res.json().message).toMatch(/real inboxes/);
  });
});

describe('local mailbox', () => {
  it("reads the local cloud's mailbox and checks its shape", async () => {
    const cloud = Fastify({ loggerInstance: pino({ level: 'silent' }) });
    const mail = { to: 'ops@example.com', subject: '[Fleet] MAJOR ACTIVE: hot', body: '{}', sentAt: '2026-12-01T10:00:00.000Z' };
    cloud.get('/_fleet/mailbox', async () => ({ messages: [mail] }));
    cloud.get('/bad/_fleet/mailbox', async () => ({ mails: [] }));
    const base = await cloud.listen({ port: 0, host: '127.0.0.1' });
    try {
      expect(await createLocalMailbox({ url: `${base}/_fleet/mailbox` }).read()).toEqual({ messages: [mail] });
      await expect(createLocalMailbox({ url: `${base}/bad/_fleet/mailbox` }).read()).rejects.toMatchObject({ code: 'BadGateway' });
      await expect(createLocalMailbox({ url: `${base}/none` }).read()).rejects.toMatchObject({ code: 'NotFound' });
    } finally {
      await cloud.close();
    }
  });
});
