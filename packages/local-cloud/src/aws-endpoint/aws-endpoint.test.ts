import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SQSClient, ListQueuesCommand } from '@aws-sdk/client-sqs';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { createAwsEndpoint } from './aws-endpoint.ts';
import { jsonProtocolHandler } from './json-protocol.ts';
import { AwsError } from './aws-error.ts';

describe('local AWS endpoint', () => {
  let server: Server;
  let endpoint = '';
  const seen: string[] = [];

  beforeAll(async () => {
    server = createAwsEndpoint({
      handlers: {
        sqs: jsonProtocolHandler({
          service: 'sqs',
          contentType: 'application/x-amz-json-1.0',
          operations: {
            ListQueues: async (_input, ctx) => {
              seen.push(`sqs:${ctx.accessKeyId}`);
              return { QueueUrls: ['http://x/000000000000/q1'] };
            },
          },
        }),
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const config = () => ({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 's' }, maxAttempts: 1 });

  it('routes a signed SDK request by the service in its credential scope', async () => {
    const client = new SQSClient(config());
    const out = await client.send(new ListQueuesCommand({}));
    expect(out.QueueUrls).toEqual(['http://x/000000000000/q1']);
    expect(seen).toContain('sqs:AKIDTEST');
  });

  it('answers an AWS-shaped error for a service it does not serve, naming it', async () => {
    const client = new DynamoDBClient(config());
    await expect(client.send(new ListTablesCommand({}))).rejects.toMatchObject({
      name: 'UnknownServiceException',
      message: expect.stringContaining('"dynamodb"'),
    });
  });

  it('answers UnknownOperationException for an operation a stand-in does not implement', async () => {
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: {
        'x-amz-target': 'AmazonSQS.TagQueue',
        authorization: 'AWS4-HMAC-SHA256 Credential=AKIDTEST/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=x',
      },
      body: '{}',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
    expect(((await res.json()) as { message: string }).message).toContain('TagQueue');
  });

  const post = (target: string, body: string) =>
    fetch(endpoint, {
      method: 'POST',
      headers: {
        'x-amz-target': target,
        authorization: 'AWS4-HMAC-SHA256 Credential=AKIDTEST/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=x',
      },
      body,
    });

  it('looks operations up among its own: __proto__, constructor and toString are unknown operations', async () => {
    for (const operation of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      const res = await post(`AmazonSQS.${operation}`, '{}');
      expect(res.status).toBe(400);
      expect(res.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
    }
  });

  it('answers SerializationException for a body that is not a JSON object', async () => {
    for (const body of ['null', '[]', '42', '"text"', '{"unterminated"']) {
      const res = await post('AmazonSQS.ListQueues', body);
      expect(res.status).toBe(400);
      expect(res.headers.get('x-amzn-errortype')).toBe('SerializationException');
    }
  });

  it('answers CORS preflights so the web app can call Cognito from the browser', async () => {
    const res = await fetch(endpoint, {
      method: 'OPTIONS',
      headers: { origin: 'http://127.0.0.1:3000', 'access-control-request-headers': 'x-amz-target,content-type' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:3000');
    expect(res.headers.get('access-control-allow-headers')).toBe('x-amz-target,content-type');
  });

  it('maps AwsError to its status and code', async () => {
    const handler = jsonProtocolHandler({
      service: 't',
      operations: {
        Fail: async () => {
          throw new AwsError('ResourceNotFoundException', 'no such thing', 404);
        },
      },
    });
    const res = await handler({
      method: 'POST',
      path: '/',
      rawUrl: '/',
      query: new URLSearchParams(),
      headers: {},
      body: Buffer.from('{}'),
      service: 't',
      operation: 'Fail',
    });
    expect(res.status).toBe(404);
    expect(JSON.parse(String(res.body))).toEqual({ __type: 'ResourceNotFoundException', message: 'no such thing' });
  });
});
