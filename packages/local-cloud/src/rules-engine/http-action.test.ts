/**
 * The HTTP action end to end in process: a destination is confirmed through AWS's flow (the stand-in
 * POSTs the confirmation message to a node:http server on 127.0.0.1, which confirms with the token),
 * then deliveries POST the SELECT output with the headers; a delivery before confirmation, or a 500
 * answer, runs the error action.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfirmTopicRuleDestinationCommand, CreateTopicRuleCommand, CreateTopicRuleDestinationCommand } from '@aws-sdk/client-iot';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../testing/mqtt-test-client.ts';
import { received, roleArn, startRunTimeRules, type RunTimeRules } from './run-time-test-kit.ts';

interface Received {
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

let t: RunTimeRules | undefined;
let server: Server | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

/** An endpoint that records every request and answers 500 on paths containing "fail". */
async function startEndpoint(): Promise<{ url: string; requests: Received[] }> {
  const requests: Received[] = [];
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() });
      res.writeHead(req.url?.includes('fail') ? 500 : 200).end();
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

describe('http action', () => {
  it('confirms the destination, then POSTs the SELECT output with its headers; a 500 runs the error action', async () => {
    const endpoint = await startEndpoint();
    t = await startRunTimeRules();
    const { control } = t.fixture;
    await control.send(
      new CreateTopicRuleCommand({
        ruleName: 'hook',
        topicRulePayload: {
          sql: "SELECT value, topic(2) AS sensor FROM 'sensors/+/data'",
          awsIotSqlVersion: '2016-03-23',
          actions: [
            {
              http: {
                url: `${endpoint.url}/hook/\${topic(2)}`,
                confirmationUrl: `${endpoint.url}/hook`,
                headers: [{ key: 'x-device', value: '${clientid()}' }],
              },
            },
          ],
          errorAction: { republish: { topic: 'hook/errors', qos: 1, roleArn } },
        },
      }),
    );
    const watcher = await t.client('watcher');
    const errors = received(watcher);
    await watcher.subscribeAsync('hook/errors', { qos: 1 });
    const device = await t.client('device-1');

    // Not confirmed yet: nothing is sent, the error action runs.
    await device.publishAsync('sensors/s1/data', '{"value":1}', { qos: 1 });
    await eventually(() => errors.length === 1, 5000, 'the error action before confirmation');
    expect(errors[0]).toContain('no confirmed topic rule destination');
    expect(endpoint.requests).toEqual([]);

    await control.send(
      new CreateTopicRuleDestinationCommand({
        destinationConfiguration: { httpUrlConfiguration: { confirmationUrl: `${endpoint.url}/hook` } },
      }),
    );
    await eventually(() => endpoint.requests.length === 1, 5000, 'the confirmation message');
    const confirmation = JSON.parse(endpoint.requests[0]!.body) as { confirmationToken: string; messageType: string; arn: string };
    expect(confirmation).toMatchObject({ messageType: 'DestinationConfirmation', arn: expect.stringContaining(':ruledestination/http/') });
    await control.send(new ConfirmTopicRuleDestinationCommand({ confirmationToken: confirmation.confirmationToken }));

    await device.publishAsync('sensors/s1/data', '{"value":2}', { qos: 1 });
    expect(endpoint.requests[1]).toMatchObject({ path: '/hook/s1', body: '{"value":2,"sensor":"s1"}' });
    expect(endpoint.requests[1]?.headers).toMatchObject({ 'x-device': 'device-1', 'content-type': 'application/json' });

    await device.publishAsync('sensors/fail/data', '{"value":3}', { qos: 1 });
    await eventually(() => errors.length === 2, 5000, 'the error action of a 500');
    const errorMessage = JSON.parse(errors[1]!.slice('hook/errors '.length)) as {
      failures: { failedAction: string; errorMessage: string }[];
    };
    expect(errorMessage.failures).toEqual([
      expect.objectContaining({ failedAction: 'HttpAction', errorMessage: expect.stringContaining('answered HTTP 500') }),
    ]);
  });
});
