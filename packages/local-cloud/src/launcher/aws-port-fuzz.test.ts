/**
 * Fuzz of the AWS port of a started local cloud (issue 7): arbitrary methods, paths, X-Amz-Target
 * values (`__proto__`, `constructor` included), Authorization headers (none, garbage, SigV4-shaped
 * with made-up keys, validly signed with the root keys so that requests reach the stand-ins) and
 * bodies (null, arrays, deep nesting, huge, invalid UTF-8). Every answer must come within a bounded
 * time, be no 5xx and be an AWS-shaped error when it is one; dynalite and s3rver must be alive
 * afterwards and the port must still serve.
 */
import { request } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { SignatureV4 } from '@smithy/signature-v4';
import { freePort } from '@fleet/core/testing';
import { decodeUriLoosely } from '../aws-endpoint/aws-request.ts';
import { NodeSha256 } from '@fleet/core/aws-sdk';
import { startLocalCloud, type LocalCloud } from './local-cloud.ts';
import { isProcessAlive } from '../child-process/index.ts';

const requestTimeoutMs = 10_000;

interface FuzzRequest {
  readonly method: string;
  readonly path: string;
  readonly target?: string;
  readonly auth:
    | { readonly kind: 'none' }
    | { readonly kind: 'garbage'; readonly value: string }
    | { readonly kind: 'made-up' | 'root'; readonly service: string };
  readonly body: Body;
}

/** A request body, printed short in counterexamples (some are megabytes). */
class Body {
  constructor(
    readonly bytes: Buffer,
    readonly label: string,
  ) {}

  [fc.toStringMethod](): string {
    return this.label;
  }
}

const labelled = (bytes: Buffer, what: string) =>
  new Body(
    bytes,
    bytes.length <= 120 ? JSON.stringify(bytes.toString('latin1')) : `${what} (${bytes.length} bytes: ${bytes.toString('latin1', 0, 60)}…)`,
  );

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

const services = [
  'dynamodb',
  's3',
  'sqs',
  'cognito-idp',
  'cognito-identity',
  'monitoring',
  'logs',
  'iot',
  'iotdata',
  'iot-jobs-data',
  'sts',
];
const targetPrefixes = [
  'DynamoDB_20120810',
  'AmazonSQS',
  'AWSCognitoIdentityProviderService',
  'AWSCognitoIdentityService',
  'GraniteServiceVersion20100801',
  'Logs_20140328',
];
const operations = [
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '',
  'Scan',
  'Query',
  'PutItem',
  'GetItem',
  'BatchWriteItem',
  'CreateTable',
  'TransactWriteItems',
  'UpdateTimeToLive',
  'SendMessage',
  'ReceiveMessage',
  'CreateQueue',
  'SignUp',
  'InitiateAuth',
  'AdminAddUserToGroup',
  'CreateUserPool',
  'GetId',
  'GetCredentialsForIdentity',
  'PutMetricData',
  'PutMetricAlarm',
  'PutLogEvents',
  'CreateLogGroup',
];

const pathSegment = fc.oneof(
  fc.constantFrom('fleet-telemetry', 'fleet-devices', 'things', 'topics', 'certificates', 'policies', '000000000000', 'fleet-ingest', 'x'),
  fc.constantFrom('..', '.', '%2E%2E', '%2e', '', '%00', '%2F', '%ZZ', '~', '__proto__', 'constructor', '%C0%AE', '%E2%80%AE'),
  fc.stringMatching(/^[A-Za-z0-9._~%-]{1,12}$/),
);

const deep = (depth: number, open: string, close: string, leaf: string) => `${open.repeat(depth)}${leaf}${close.repeat(depth)}`;
const body = fc
  .oneof(
    fc.constantFrom('', 'null', '[]', '42', '"x"', 'true', '{}', '{"TableName":null}', '{"TableName":"fleet-latest"}', '{', '{"a":1}}'),
    fc.constantFrom(
      deep(50_000, '[', ']', '1'),
      deep(20_000, '{"a":', '}', '1'),
      `{"TableName":"fleet-latest","Item":{"deviceId":{"S":"x"},"v":${deep(5_000, '{"L":[', ']}', '{"S":"x"}')}}}`,
      `{"TableName":"fleet-latest","ExclusiveStartKey":${deep(3_000, '{"M":{"a":', '}}', '{"S":"x"}')}}`,
      '{"__proto__":{"TableName":"fleet-latest"},"constructor":{"prototype":1}}',
    ),
    fc.json({ maxDepth: 4 }),
    fc
      .record(
        {
          TableName: fc.oneof(fc.constantFrom('fleet-latest', 'fleet-devices', 'fleet-telemetry', ''), fc.jsonValue()),
          QueueUrl: fc.oneof(fc.constant('http://127.0.0.1/000000000000/fleet-ingest'), fc.jsonValue()),
          UserPoolId: fc.oneof(fc.constantFrom('__proto__', 'constructor', 'us-east-1_x'), fc.jsonValue()),
          IdentityPoolId: fc.oneof(fc.constantFrom('__proto__', 'constructor'), fc.jsonValue()),
          IdentityId: fc.oneof(fc.constantFrom('__proto__', 'constructor'), fc.jsonValue()),
          Key: fc.jsonValue(),
          Item: fc.jsonValue(),
          Entries: fc.jsonValue(),
          logGroupName: fc.jsonValue(),
          MetricData: fc.jsonValue(),
        },
        { requiredKeys: [] },
      )
      .map((o) => JSON.stringify(o)),
  )
  .map((text) => labelled(Buffer.from(text), 'JSON'));
const bodies = fc.oneof(
  { weight: 8, arbitrary: body },
  {
    weight: 1,
    arbitrary: fc
      .uint8Array({ maxLength: 64 })
      .map((bytes) =>
        labelled(
          Buffer.concat([Buffer.from('{"TableName":"'), Buffer.from(bytes), Buffer.from([0xff, 0xfe, 0xc0]), Buffer.from('"}')]),
          'invalid UTF-8',
        ),
      ),
  },
  { weight: 1, arbitrary: fc.constant(labelled(Buffer.alloc(2 * 1024 * 1024, 0x61), 'huge')) },
);

/** Operations of each JSON service, so that validly signed requests reach the stand-ins' own validation. */
const jsonServices: readonly { readonly service: string; readonly prefix: string; readonly operations: readonly string[] }[] = [
  {
    service: 'dynamodb',
    prefix: 'DynamoDB_20120810',
    operations: [
      'Scan',
      'Query',
      'GetItem',
      'PutItem',
      'UpdateItem',
      'DeleteItem',
      'BatchGetItem',
      'BatchWriteItem',
      'DescribeTable',
      'CreateTable',
      'TransactWriteItems',
      'TransactGetItems',
      'UpdateTimeToLive',
      'DescribeTimeToLive',
      'ListTables',
    ],
  },
  {
    service: 'sqs',
    prefix: 'AmazonSQS',
    operations: [
      'SendMessage',
      'SendMessageBatch',
      'ReceiveMessage',
      'DeleteMessage',
      'DeleteMessageBatch',
      'ChangeMessageVisibility',
      'GetQueueAttributes',
      'SetQueueAttributes',
      'CreateQueue',
      'GetQueueUrl',
      'ListQueues',
    ],
  },
  {
    service: 'cognito-idp',
    prefix: 'AWSCognitoIdentityProviderService',
    operations: [
      'SignUp',
      'ConfirmSignUp',
      'InitiateAuth',
      'RespondToAuthChallenge',
      'GetUser',
      'GlobalSignOut',
      'AdminCreateUser',
      'AdminGetUser',
      'AdminAddUserToGroup',
      'AdminListGroupsForUser',
      'ListUsers',
      'ListUsersInGroup',
      'CreateGroup',
      'DescribeUserPool',
      'ListUserPoolClients',
      'AdminSetUserPassword',
    ],
  },
  {
    service: 'cognito-identity',
    prefix: 'AWSCognitoIdentityService',
    operations: [
      'GetId',
      'GetCredentialsForIdentity',
      'DescribeIdentityPool',
      'ListIdentityPools',
      'GetIdentityPoolRoles',
      'SetIdentityPoolRoles',
    ],
  },
  {
    service: 'monitoring',
    prefix: 'GraniteServiceVersion20100801',
    operations: [
      'PutMetricData',
      'PutMetricAlarm',
      'DescribeAlarms',
      'GetMetricStatistics',
      'GetMetricData',
      'ListMetrics',
      'SetAlarmState',
      'DescribeAlarmHistory',
    ],
  },
  {
    service: 'logs',
    prefix: 'Logs_20140328',
    operations: [
      'CreateLogGroup',
      'CreateLogStream',
      'PutLogEvents',
      'GetLogEvents',
      'FilterLogEvents',
      'DescribeLogGroups',
      'DescribeLogStreams',
    ],
  },
];

/** Placeholders replaced with the started cloud's resource ids when the request is sent. */
const fieldValue = fc.oneof(
  fc.constantFrom('$POOL', '$IDPOOL', '$QUEUE', 'fleet-latest', 'fleet-devices', 'fleet-telemetry', '__proto__', 'constructor', '', 'x'),
  fc.jsonValue({ maxDepth: 3 }),
  fc.array(
    fc.dictionary(
      fc.constantFrom(
        'Id',
        'MessageBody',
        'ReceiptHandle',
        'MetricName',
        'Value',
        'S',
        'N',
        'M',
        'L',
        'timestamp',
        'message',
        'PutRequest',
        'Item',
      ),
      fc.jsonValue({ maxDepth: 2 }),
    ),
    { maxLength: 3 },
  ),
  fc.dictionary(
    fc.constantFrom('deviceId', 'pk', 'sk', 'S', 'N', 'M', 'L', 'fleet-latest', 'email', 'name'),
    fc.jsonValue({ maxDepth: 2 }),
  ),
);
const fieldNames = [
  'TableName',
  'Key',
  'Item',
  'RequestItems',
  'TransactItems',
  'KeyConditionExpression',
  'ExpressionAttributeValues',
  'ExpressionAttributeNames',
  'IndexName',
  'Limit',
  'ExclusiveStartKey',
  'AttributeDefinitions',
  'KeySchema',
  'TimeToLiveSpecification',
  'QueueUrl',
  'QueueName',
  'MessageBody',
  'Entries',
  'ReceiptHandle',
  'MaxNumberOfMessages',
  'VisibilityTimeout',
  'AttributeNames',
  'Attributes',
  'MessageAttributes',
  'UserPoolId',
  'ClientId',
  'Username',
  'Password',
  'AuthFlow',
  'AuthParameters',
  'ChallengeName',
  'ChallengeResponses',
  'AccessToken',
  'GroupName',
  'Filter',
  'UserAttributes',
  'ConfirmationCode',
  'Session',
  'MaxResults',
  'NextToken',
  'IdentityPoolId',
  'IdentityId',
  'Logins',
  'Roles',
  'Namespace',
  'MetricData',
  'AlarmName',
  'AlarmNames',
  'MetricName',
  'Statistics',
  'StartTime',
  'EndTime',
  'Period',
  'Dimensions',
  'StateValue',
  'Threshold',
  'ComparisonOperator',
  'EvaluationPeriods',
  'MetricDataQueries',
  'logGroupName',
  'logStreamName',
  'logEvents',
  'filterPattern',
  'startTime',
  'endTime',
  'limit',
];
const coherentJson: fc.Arbitrary<FuzzRequest> = fc.constantFrom(...jsonServices).chain((s) =>
  fc
    .record({
      operation: fc.constantFrom(...s.operations),
      fields: fc.dictionary(fc.constantFrom(...fieldNames), fieldValue, { maxKeys: 6 }),
    })
    .map(({ operation, fields }) => ({
      method: 'POST',
      path: '/',
      target: `${s.prefix}.${operation}`,
      auth: { kind: 'root' as const, service: s.service },
      body: labelled(Buffer.from(JSON.stringify(fields)), 'JSON'),
    })),
);
const coherentRest: fc.Arbitrary<FuzzRequest> = fc
  .record({
    service: fc.constantFrom('iot', 'iotdata', 'iot-jobs-data', 's3'),
    method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD'),
    resource: fc.constantFrom(
      '/things/{}',
      '/things',
      '/keys-and-certificate',
      '/certificates/{}',
      '/policies/{}',
      '/policies/{}/version',
      '/target-policies/{}',
      '/attached-policies/{}',
      '/things/{}/principals',
      '/principals/things',
      '/endpoint',
      '/topics/{}',
      '/things/{}/shadow',
      '/jobs/{}',
      '/jobs/{}/cancel',
      '/jobs/{}/things',
      '/things/{}/jobs',
      '/things/{}/jobs/{}',
      '/things/{}/jobs/$next',
      '/thing-groups/{}',
      '/thing-groups/addThingToThingGroup',
      '/fleet-telemetry/{}',
      '/fleet-telemetry',
      '/{}',
    ),
    label: fc.oneof(
      fc.constantFrom('sensor-1', '__proto__', 'constructor', '%2E%2E', 'a%2Fb', 'fleet%2Fdevices%2Fd1%2Fcommands', '..', ''),
      fc.stringMatching(/^[A-Za-z0-9._~-]{1,20}$/),
    ),
    query: fc.constantFrom(
      '',
      '?qos=1',
      '?setAsActive=true',
      '?newStatus=INACTIVE',
      '?endpointType=iot:Data-ATS',
      '?forceDelete=true',
      '?uploads',
      '?list-type=2&prefix=a',
      '?tagging',
      '?acl',
    ),
    fields: fc.dictionary(
      fc.constantFrom('thingName', 'attributePayload', 'policyDocument', 'target', 'principal', 'state', 'setAsDefault', 'expectedVersion'),
      fieldValue,
      { maxKeys: 4 },
    ),
  })
  .map(({ service, method, resource, label, query, fields }) => ({
    method,
    path: `${resource.replaceAll('{}', label)}${query}`,
    auth: { kind: 'root' as const, service: resource.startsWith('/fleet-telemetry') || resource === '/{}' ? 's3' : service },
    body: labelled(Buffer.from(method === 'GET' || method === 'HEAD' ? '' : JSON.stringify(fields)), 'JSON'),
  }));

const arbitraryRequest: fc.Arbitrary<FuzzRequest> = fc
  .record({
    method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'PATCH', 'OPTIONS'),
    path: fc.oneof(
      fc.constant('/'),
      fc.array(pathSegment, { minLength: 1, maxLength: 5 }).map((s) => `/${s.join('/')}`),
    ),
    query: fc.constantFrom(
      '',
      '?delete',
      '?uploads',
      '?acl',
      '?list-type=2&prefix=',
      '?X-Amz-Algorithm=AWS4-HMAC-SHA256',
      '?qos=1',
      '?%ZZ=1',
    ),
    target: fc.option(
      fc.oneof(
        fc.tuple(fc.constantFrom(...targetPrefixes), fc.constantFrom(...operations)).map(([p, o]) => `${p}.${o}`),
        fc.constantFrom('__proto__', 'constructor', 'toString', '.', '..__proto__', 'AWSCognitoIdentityProviderService'),
      ),
      { nil: undefined },
    ),
    auth: fc.oneof(
      fc.constant({ kind: 'none' as const }),
      fc.string({ maxLength: 80 }).map((value) => ({ kind: 'garbage' as const, value: value.replace(/[^\x20-\x7e]/g, '') })),
      fc.constantFrom(...services).map((service) => ({ kind: 'made-up' as const, service })),
      fc.constantFrom(...services).map((service) => ({ kind: 'root' as const, service })),
    ),
    body: bodies,
  })
  .map(({ path, query, ...rest }) => ({ ...rest, path: `${path}${query}` }));

const fuzzRequest = fc.oneof(arbitraryRequest, coherentJson, coherentRest);

describe('AWS port fuzz', () => {
  let dataDir: string;
  let cloud: LocalCloud;
  let port: number;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'aws-port-fuzz-'));
    port = await freePort();
    cloud = await startLocalCloud({
      dataDir,
      host: '127.0.0.1',
      awsPort: port,
      mqttPort: await freePort(),
      mqttWebSocketPort: await freePort(),
      iotHttpsPort: await freePort(),
      log: pino({ level: 'silent' }),
    });
  });
  afterAll(async () => {
    await cloud?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function send(fuzzed: FuzzRequest): Promise<Answer> {
    const e = cloud.endpoints;
    const bytes = Buffer.from(
      fuzzed.body.bytes
        .toString('latin1')
        .replaceAll('$POOL', e.userPoolId)
        .replaceAll('$IDPOOL', e.identityPoolId)
        .replaceAll('$QUEUE', e.queueUrls['fleet-ingest'] ?? ''),
      'latin1',
    );
    const input = { ...fuzzed, body: new Body(bytes, fuzzed.body.label) };
    // An explicit length frames a body on any method (Node sends GET bodies unframed otherwise).
    const headers: Record<string, string> = { host: `127.0.0.1:${port}`, 'content-length': String(input.body.bytes.length) };
    if (input.target !== undefined) headers['x-amz-target'] = input.target;
    if (input.body.bytes.length > 0)
      headers['content-type'] = input.target?.startsWith('DynamoDB') ? 'application/x-amz-json-1.0' : 'application/x-amz-json-1.1';
    if (input.auth.kind === 'garbage') headers.authorization = input.auth.value;
    if (input.auth.kind === 'made-up' || input.auth.kind === 'root') {
      const credentials =
        input.auth.kind === 'root' ? cloud.credentials : { accessKeyId: 'AKIAMADEUPKEY0000000', secretAccessKey: 'made-up' };
      const signer = new SignatureV4({
        service: input.auth.service,
        region: 'us-east-1',
        credentials,
        sha256: NodeSha256,
        uriEscapePath: input.auth.service !== 's3',
      });
      const q = input.path.indexOf('?');
      const query =
        q < 0
          ? {}
          : Object.fromEntries(
              input.path
                .slice(q + 1)
                .split('&')
                .map((p) => {
                  const [k = '', v = ''] = p.split('=');
                  return [decodeUriLoosely(k), decodeUriLoosely(v)];
                }),
            );
      const signed = await signer.sign({
        method: input.method,
        protocol: 'http:',
        hostname: '127.0.0.1',
        port,
        path: q < 0 ? input.path : input.path.slice(0, q),
        query,
        headers: { ...headers, ...(input.auth.service === 's3' ? { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } : {}) },
        body: input.body.bytes,
      });
      Object.assign(headers, signed.headers);
    }
    return new Promise<Answer>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, method: input.method, path: input.path, headers, timeout: requestTimeoutMs },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${requestTimeoutMs} ms`)));
      req.on('error', reject);
      req.end(input.body.bytes);
    });
  }

  it('answers every request in time, never 5xx, with AWS-shaped errors, and no stand-in dies', async () => {
    const pids = cloud.standInPids();
    await fc.assert(
      fc.asyncProperty(fuzzRequest, async (input) => {
        const answer = await send(input);
        expect(answer.status, `${input.method} ${input.path} ${input.target ?? ''} → ${answer.body.slice(0, 300)}`).toBeLessThan(500);
        if (answer.status >= 400 && input.method !== 'HEAD') {
          const shaped =
            typeof answer.headers['x-amzn-errortype'] === 'string' ||
            /"__type"\s*:/.test(answer.body) ||
            /<Code>[A-Za-z.]+<\/Code>|<[A-Za-z]+Exception\/>/.test(answer.body);
          expect(shaped, `${answer.status} ${answer.body.slice(0, 300)}`).toBe(true);
        }
      }),
      // FUZZ_SEED replays a failure's seed (fast-check prints it).
      {
        numRuns: Number(process.env.FUZZ_RUNS ?? 1000),
        endOnFailure: true,
        ...(process.env.FUZZ_SEED ? { seed: Number(process.env.FUZZ_SEED) } : {}),
      },
    );
    expect(isProcessAlive(pids.dynamodb)).toBe(true);
    expect(isProcessAlive(pids.s3)).toBe(true);
    await expect(cloud.clients.dynamodb.send(new ListTablesCommand({}))).resolves.toMatchObject({ TableNames: expect.any(Array) });
  }, 600_000);
});
