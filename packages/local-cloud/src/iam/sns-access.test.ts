/**
 * How SNS requests map to IAM (Service Authorization Reference, Amazon SNS): `sns:<Operation>` on
 * the topic ARN the request names (a subscription on its topic), PublishBatch as sns:Publish,
 * listings on `*`; and a policy granting sns:Publish on one topic allows exactly that.
 */
import { describe, expect, it } from 'vitest';
import type { AwsRequest } from '../aws-endpoint/aws-request.ts';
import { accessChecks } from './access-check.ts';
import { authorize } from './authorize.ts';
import { localArns } from './local-arns.ts';
import type { Principal } from './principals.ts';

const arns = localArns({ region: 'us-east-1', account: '000000000000', userPoolId: () => 'us-east-1_pool' });
const topic = 'arn:aws:sns:us-east-1:000000000000:alarms';

function snsRequest(params: Record<string, string>): AwsRequest {
  return {
    method: 'POST',
    path: '/',
    rawUrl: '/',
    query: new URLSearchParams(),
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: Buffer.from(new URLSearchParams(params).toString()),
    service: 'sns',
    operation: params.Action ?? '',
  };
}

describe('SNS access checks', () => {
  it.each([
    [{ Action: 'CreateTopic', Name: 'alarms' }, 'sns:CreateTopic', topic],
    [{ Action: 'Publish', TopicArn: topic, Message: 'm' }, 'sns:Publish', topic],
    [{ Action: 'Publish', TargetArn: topic, Message: 'm' }, 'sns:Publish', topic],
    [{ Action: 'PublishBatch', TopicArn: topic }, 'sns:Publish', topic],
    [{ Action: 'Subscribe', TopicArn: topic, Protocol: 'email' }, 'sns:Subscribe', topic],
    [
      { Action: 'GetSubscriptionAttributes', SubscriptionArn: `${topic}:0b6a3e1c-2f1e-4f7e-9b8a-1c2d3e4f5a6b` },
      'sns:GetSubscriptionAttributes',
      topic,
    ],
    [{ Action: 'ListTagsForResource', ResourceArn: topic }, 'sns:ListTagsForResource', topic],
    [{ Action: 'ListTopics' }, 'sns:ListTopics', '*'],
    [{ Action: 'ListSubscriptions' }, 'sns:ListSubscriptions', '*'],
  ])('%j needs %s on %s', (params, action, resource) => {
    expect(accessChecks(snsRequest(params), arns)).toEqual([{ action, resource }]);
  });

  it('allows a role with sns:Publish on one topic to publish there and nowhere else', () => {
    const principal: Principal = {
      kind: 'task',
      service: 'api',
      arn: 'arn:aws:sts::000000000000:assumed-role/r/s',
      policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sns:Publish', Resource: topic }] },
    };
    const publish = (TopicArn: string) =>
      authorize(principal, accessChecks(snsRequest({ Action: 'Publish', TopicArn, Message: 'm' }), arns));
    expect(publish(topic)).toEqual({ allowed: true });
    expect(publish(`${topic}-other`)).toMatchObject({
      allowed: false,
      message: expect.stringContaining(`is not authorized to perform: sns:Publish on resource: ${topic}-other`),
    });
    expect(authorize(principal, accessChecks(snsRequest({ Action: 'CreateTopic', Name: 'x' }), arns)).allowed).toBe(false);
  });
});
