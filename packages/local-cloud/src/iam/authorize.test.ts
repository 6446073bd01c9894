/**
 * IAM decisions of the local cloud from the shared definitions of `@fleet/core`: each request is
 * mapped to its IAM action and resource ARN and evaluated against the caller's role.
 */
import { describe, expect, it } from 'vitest';
import type { AwsRequest } from '../aws-endpoint/aws-request.ts';
import { accessChecks } from './access-check.ts';
import { authorize } from './authorize.ts';
import { localArns } from './local-arns.ts';
import { identityPrincipal, rootPrincipal, taskPrincipal } from './principals.ts';

const arns = localArns({ region: 'us-east-1', account: '000000000000', userPoolId: () => 'us-east-1_pool' });

function request(
  service: string,
  input: { operation?: string; body?: unknown; method?: string; url?: string; headers?: Record<string, string> },
): AwsRequest {
  const url = input.url ?? '/';
  const q = url.indexOf('?');
  return {
    method: input.method ?? 'POST',
    path: q < 0 ? url : url.slice(0, q),
    rawUrl: url,
    query: new URLSearchParams(q < 0 ? '' : url.slice(q + 1)),
    headers: input.headers ?? {},
    body: Buffer.from(input.body === undefined ? '' : typeof input.body === 'string' ? input.body : JSON.stringify(input.body)),
    service,
    ...(input.operation ? { operation: input.operation } : {}),
  };
}

const json = (service: string, operation: string, body: unknown) => request(service, { operation, body });
const queueUrl = 'http://127.0.0.1:4566/000000000000/fleet-ingest';

describe('mapping requests to IAM actions and resources', () => {
  it('names DynamoDB tables, indexes and every table of a batch or transaction', () => {
    expect(accessChecks(json('dynamodb', 'Scan', { TableName: 'fleet-latest' }), arns)).toEqual([
      { action: 'dynamodb:Scan', resource: 'arn:aws:dynamodb:us-east-1:000000000000:table/fleet-latest' },
    ]);
    expect(accessChecks(json('dynamodb', 'Query', { TableName: 'fleet-devices', IndexName: 'byOwner' }), arns)[0]?.resource).toBe(
      'arn:aws:dynamodb:us-east-1:000000000000:table/fleet-devices/index/byOwner',
    );
    expect(accessChecks(json('dynamodb', 'BatchWriteItem', { RequestItems: { a1a: [], b2b: [] } }), arns).map((c) => c.resource)).toEqual([
      'arn:aws:dynamodb:us-east-1:000000000000:table/a1a',
      'arn:aws:dynamodb:us-east-1:000000000000:table/b2b',
    ]);
    expect(
      accessChecks(
        json('dynamodb', 'TransactWriteItems', { TransactItems: [{ Put: { TableName: 't1' } }, { Delete: { TableName: 't2' } }] }),
        arns,
      ),
    ).toEqual([
      { action: 'dynamodb:PutItem', resource: 'arn:aws:dynamodb:us-east-1:000000000000:table/t1' },
      { action: 'dynamodb:DeleteItem', resource: 'arn:aws:dynamodb:us-east-1:000000000000:table/t2' },
    ]);
  });

  it('authorizes a DLQ redrive on its source queue (and SendMessage on a named destination), as AWS requires', () => {
    const dlq = 'arn:aws:sqs:us-east-1:000000000000:fleet-ingest-dlq';
    const ingest = 'arn:aws:sqs:us-east-1:000000000000:fleet-ingest';
    const onDlq = (action: string) =>
      [action, 'sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'].map((a) => ({ action: a, resource: dlq }));
    expect(accessChecks(json('sqs', 'StartMessageMoveTask', { SourceArn: dlq, DestinationArn: ingest }), arns)).toEqual([
      ...onDlq('sqs:StartMessageMoveTask'),
      { action: 'sqs:SendMessage', resource: ingest },
    ]);
    expect(accessChecks(json('sqs', 'ListMessageMoveTasks', { SourceArn: dlq }), arns)).toEqual(onDlq('sqs:ListMessageMoveTasks'));
    const handle = Buffer.from(JSON.stringify({ taskId: 't', sourceArn: dlq })).toString('base64');
    expect(accessChecks(json('sqs', 'CancelMessageMoveTask', { TaskHandle: handle }), arns)).toEqual(onDlq('sqs:CancelMessageMoveTask'));
    // The Data Service's role (the shared definition) may redrive the DLQ; the API Service's may not.
    const start = json('sqs', 'StartMessageMoveTask', { SourceArn: dlq, DestinationArn: ingest });
    expect(authorize(taskPrincipal('data', arns), accessChecks(start, arns))).toMatchObject({ allowed: true });
    expect(authorize(taskPrincipal('api', arns), accessChecks(start, arns))).toMatchObject({ allowed: false });
  });

  it('authorizes SQS batches as their single-message action on the queue ARN', () => {
    expect(accessChecks(json('sqs', 'SendMessageBatch', { QueueUrl: queueUrl, Entries: [] }), arns)).toEqual([
      { action: 'sqs:SendMessage', resource: 'arn:aws:sqs:us-east-1:000000000000:fleet-ingest' },
    ]);
  });

  it('maps S3 methods and subresources to actions on bucket and object ARNs', () => {
    const s3 = (method: string, url: string, headers?: Record<string, string>) =>
      accessChecks(request('s3', { method, url, ...(headers ? { headers } : {}) }), arns);
    expect(s3('GET', '/fleet-telemetry/archive/a%20b.jsonl')).toEqual([
      { action: 's3:GetObject', resource: 'arn:aws:s3:::fleet-telemetry/archive/a b.jsonl' },
    ]);
    expect(s3('HEAD', '/fleet-telemetry')).toEqual([{ action: 's3:ListBucket', resource: 'arn:aws:s3:::fleet-telemetry', context: {} }]);
    expect(s3('GET', '/fleet-telemetry?list-type=2&prefix=archive%2F')).toEqual([
      { action: 's3:ListBucket', resource: 'arn:aws:s3:::fleet-telemetry', context: { 's3:prefix': 'archive/' } },
    ]);
    expect(s3('DELETE', '/fleet-telemetry/k?uploadId=1')[0]?.action).toBe('s3:AbortMultipartUpload');
    expect(s3('PUT', '/b/target', { 'x-amz-copy-source': '/b/source' })).toEqual([
      { action: 's3:PutObject', resource: 'arn:aws:s3:::b/target' },
      { action: 's3:GetObject', resource: 'arn:aws:s3:::b/source' },
    ]);
    expect(
      accessChecks(request('s3', { method: 'POST', url: '/b?delete', body: '<Delete><Object><Key>a&amp;b</Key></Object></Delete>' }), arns),
    ).toEqual([{ action: 's3:DeleteObject', resource: 'arn:aws:s3:::b/a&b' }]);
  });

  it('authorizes bucket lifecycle calls as AWS does: DeleteBucketLifecycle needs s3:PutLifecycleConfiguration', () => {
    const lifecycle = (method: string) => accessChecks(request('s3', { method, url: '/fleet-telemetry?lifecycle' }), arns);
    const on = (action: string) => [{ action, resource: 'arn:aws:s3:::fleet-telemetry' }];
    expect(lifecycle('PUT')).toEqual(on('s3:PutLifecycleConfiguration'));
    expect(lifecycle('GET')).toEqual(on('s3:GetLifecycleConfiguration'));
    expect(lifecycle('DELETE')).toEqual(on('s3:PutLifecycleConfiguration'));
    // The Data Service's role holds both (iam-policies.ts); the API Service's neither.
    expect(authorize(taskPrincipal('data', arns), lifecycle('PUT'))).toMatchObject({ allowed: true });
    expect(authorize(taskPrincipal('data', arns), lifecycle('GET'))).toMatchObject({ allowed: true });
    expect(authorize(taskPrincipal('api', arns), lifecycle('PUT'))).toMatchObject({ allowed: false });
  });

  it('maps IoT REST routes to their operation and resource type', () => {
    expect(accessChecks(request('iot', { method: 'POST', url: '/things/sensor-1' }), arns)).toEqual([
      { action: 'iot:CreateThing', resource: 'arn:aws:iot:us-east-1:000000000000:thing/sensor-1' },
    ]);
    expect(accessChecks(request('iotdata', { method: 'POST', url: '/topics/fleet%2Fdevices%2Fd1%2Fcommands?qos=1' }), arns)).toEqual([
      { action: 'iot:Publish', resource: 'arn:aws:iot:us-east-1:000000000000:topic/fleet/devices/d1/commands' },
    ]);
  });

  it('maps IoT Jobs and thing-group routes to every resource they act on, and the Jobs data plane by its signing name', () => {
    const iot = (resource: string) => `arn:aws:iot:us-east-1:000000000000:${resource}`;
    const targets = [iot('thing/d1'), iot('thinggroup/site')];
    expect(accessChecks(request('iot', { method: 'PUT', url: '/jobs/j1', body: { targets, document: '{}' } }), arns)).toEqual(
      [iot('job/j1'), ...targets].map((resource) => ({ action: 'iot:CreateJob', resource })),
    );
    expect(accessChecks(request('iot', { method: 'PUT', url: '/things/d1/jobs/j1/cancel' }), arns)).toEqual([
      { action: 'iot:CancelJobExecution', resource: iot('job/j1') },
      { action: 'iot:CancelJobExecution', resource: iot('thing/d1') },
    ]);
    expect(
      accessChecks(
        request('iot', { method: 'PUT', url: '/thing-groups/addThingToThingGroup', body: { thingGroupName: 'site', thingName: 'd1' } }),
        arns,
      ),
    ).toEqual([
      { action: 'iot:AddThingToThingGroup', resource: iot('thinggroup/site') },
      { action: 'iot:AddThingToThingGroup', resource: iot('thing/d1') },
    ]);
    expect(accessChecks(request('iot', { method: 'GET', url: '/things/d1/jobs' }), arns)).toEqual([
      { action: 'iot:ListJobExecutionsForThing', resource: iot('thing/d1') },
    ]);
    expect(accessChecks(request('iot-jobs-data', { method: 'GET', url: '/things/d1/jobs' }), arns)).toEqual([
      { action: 'iot:GetPendingJobExecutions', resource: iot('thing/d1') },
    ]);
    expect(accessChecks(request('iot-jobs-data', { method: 'PUT', url: '/things/d1/jobs/$next' }), arns)).toEqual([
      { action: 'iot:StartNextPendingJobExecution', resource: iot('thing/d1') },
    ]);
    expect(accessChecks(request('iot-jobs-data', { method: 'POST', url: '/things/d1/jobs/j1' }), arns)).toEqual([
      { action: 'iot:UpdateJobExecution', resource: iot('thing/d1') },
    ]);
  });

  it('maps the topic rule operations to rule/<name> and the destination ones to destination/<type>/<id> (greedy ARN labels)', () => {
    const iot = (resource: string) => `arn:aws:iot:us-east-1:000000000000:${resource}`;
    const check = (method: string, url: string, body?: unknown) =>
      accessChecks(request('iot', { method, url, ...(body === undefined ? {} : { body }) }), arns);
    expect(check('POST', '/rules/echo')).toEqual([{ action: 'iot:CreateTopicRule', resource: iot('rule/echo') }]);
    expect(check('PATCH', '/rules/echo')).toEqual([{ action: 'iot:ReplaceTopicRule', resource: iot('rule/echo') }]);
    expect(check('GET', '/rules/echo')).toEqual([{ action: 'iot:GetTopicRule', resource: iot('rule/echo') }]);
    expect(check('DELETE', '/rules/echo')).toEqual([{ action: 'iot:DeleteTopicRule', resource: iot('rule/echo') }]);
    expect(check('POST', '/rules/echo/enable')).toEqual([{ action: 'iot:EnableTopicRule', resource: iot('rule/echo') }]);
    expect(check('POST', '/rules/echo/disable')).toEqual([{ action: 'iot:DisableTopicRule', resource: iot('rule/echo') }]);
    expect(check('GET', '/rules?topic=a%2Fb')).toEqual([{ action: 'iot:ListTopicRules', resource: '*' }]);
    const arn = iot('ruledestination/http/0b6f3a1e-1c2d-4e5f-8a9b-0c1d2e3f4a5b');
    const destination = iot('destination/http/0b6f3a1e-1c2d-4e5f-8a9b-0c1d2e3f4a5b');
    expect(check('GET', `/destinations/${arn}`)).toEqual([{ action: 'iot:GetTopicRuleDestination', resource: destination }]);
    expect(check('DELETE', `/destinations/${arn}`)).toEqual([{ action: 'iot:DeleteTopicRuleDestination', resource: destination }]);
    expect(check('PATCH', '/destinations', { arn, status: 'DISABLED' })).toEqual([
      { action: 'iot:UpdateTopicRuleDestination', resource: destination },
    ]);
    expect(check('POST', '/destinations', {})).toEqual([{ action: 'iot:CreateTopicRuleDestination', resource: '*' }]);
    expect(check('GET', '/destinations')).toEqual([{ action: 'iot:ListTopicRuleDestinations', resource: '*' }]);
    expect(check('GET', '/confirmdestination/abc')).toEqual([{ action: 'iot:ConfirmTopicRuleDestination', resource: '*' }]);
  });

  it('authorizes a classic shadow on thing/<thing> and a named shadow on thing/<thing>/<shadow>', () => {
    expect(accessChecks(request('iotdata', { method: 'GET', url: '/things/lamp/shadow' }), arns)).toEqual([
      { action: 'iot:GetThingShadow', resource: 'arn:aws:iot:us-east-1:000000000000:thing/lamp' },
    ]);
    expect(accessChecks(request('iotdata', { method: 'POST', url: '/things/lamp/shadow?name=config' }), arns)).toEqual([
      { action: 'iot:UpdateThingShadow', resource: 'arn:aws:iot:us-east-1:000000000000:thing/lamp/config' },
    ]);
  });
});

describe('decisions from the shared role definitions', () => {
  const api = taskPrincipal('api', arns);
  const data = taskPrincipal('data', arns);
  const browser = identityPrincipal('us-east-1:identity', arns);
  const decide = (principal: ReturnType<typeof taskPrincipal>, req: AwsRequest) => authorize(principal, accessChecks(req, arns));

  it('allows the account root everything', () => {
    expect(authorize(rootPrincipal(arns), [{ action: 'dynamodb:DeleteTable', resource: '*' }])).toEqual({ allowed: true });
  });

  it("denies the API Service's role sending to the ingest queue, allows the Data Service's", () => {
    const send = json('sqs', 'SendMessage', { QueueUrl: queueUrl, MessageBody: '{}' });
    expect(decide(api, send)).toMatchObject({
      allowed: false,
      message:
        'User: arn:aws:sts::000000000000:assumed-role/fleet-api-task-role/api-task is not authorized to perform: sqs:SendMessage on resource: arn:aws:sqs:us-east-1:000000000000:fleet-ingest because no identity-based policy allows the sqs:SendMessage action',
    });
    expect(decide(data, send)).toEqual({ allowed: true });
  });

  it('denies browser identities table scans and queue messages (the forged-reading attack)', () => {
    expect(decide(browser, json('dynamodb', 'Scan', { TableName: 'fleet-telemetry' }))).toMatchObject({ allowed: false });
    expect(decide(browser, json('sqs', 'SendMessage', { QueueUrl: queueUrl, MessageBody: '{}' }))).toMatchObject({ allowed: false });
    expect(decide(browser, json('cognito-idp', 'AdminAddUserToGroup', { UserPoolId: 'us-east-1_pool' }))).toMatchObject({ allowed: false });
  });

  it('lets the API Service query the devices index and manage its user pool, and nothing of the telemetry table', () => {
    expect(decide(api, json('dynamodb', 'Query', { TableName: 'fleet-devices', IndexName: 'byOwner' }))).toEqual({ allowed: true });
    expect(decide(api, json('cognito-idp', 'AdminAddUserToGroup', { UserPoolId: 'us-east-1_pool' }))).toEqual({ allowed: true });
    expect(decide(api, json('cognito-idp', 'AdminAddUserToGroup', { UserPoolId: 'us-east-1_other' }))).toMatchObject({ allowed: false });
    expect(decide(api, json('dynamodb', 'GetItem', { TableName: 'fleet-telemetry' }))).toMatchObject({ allowed: false });
  });

  it('lets the Data Service list and delete only under its prefixes', () => {
    const s3 = (method: string, url: string) => request('s3', { method, url });
    expect(decide(data, s3('GET', '/fleet-telemetry?list-type=2&prefix=dead-letters%2Frules%2F'))).toEqual({ allowed: true });
    expect(decide(data, s3('GET', '/fleet-telemetry?list-type=2'))).toMatchObject({ allowed: false });
    expect(decide(data, s3('DELETE', '/fleet-telemetry/dead-letters/rules/x.json'))).toEqual({ allowed: true });
    expect(decide(data, s3('DELETE', '/fleet-telemetry/archive/2026/x.jsonl'))).toMatchObject({ allowed: false });
  });
});
