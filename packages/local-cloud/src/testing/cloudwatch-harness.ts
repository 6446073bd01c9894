/**
 * Test support: a CloudWatch stand-in behind the real local AWS endpoint on an ephemeral port,
 * the real SDK clients pointed at it, and a clock the test moves by hand.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import pino from 'pino';
import { createAwsEndpoint, type AwsRequest } from '../aws-endpoint/index.ts';
import { createCloudWatchStandIn, type CloudWatchStandIn, type CloudWatchStandInOptions } from '../cloudwatch/index.ts';

export interface Harness {
  readonly dataDir: string;
  readonly clock: { now: number };
  standIn: CloudWatchStandIn;
  /** Every request seen, for assertions on the wire (operation, content-encoding, target header). */
  readonly requests: { service: string; operation?: string; contentEncoding?: string; target?: string; contentType?: string }[];
  readonly cloudwatch: CloudWatchClient;
  readonly logs: CloudWatchLogsClient;
  /** Closes the stand-in and opens a new one on the same data folder (same port and clients). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(
  options: Partial<CloudWatchStandInOptions> = {},
  start = Date.UTC(2026, 10, 24, 12, 0, 0),
): Promise<Harness> {
  const dataDir = await mkdtemp(join(tmpdir(), 'fleet-cloudwatch-'));
  const clock = { now: start };
  const open = () =>
    createCloudWatchStandIn({
      dataDir,
      region: 'us-east-1',
      accountId: '000000000000',
      log: pino({ level: 'silent' }),
      clock: () => clock.now,
      evaluationIntervalMs: 0,
      ...options,
    });
  let standIn = await open();
  const requests: Harness['requests'] = [];
  const record = (req: AwsRequest) =>
    requests.push({
      service: req.service,
      operation: req.operation,
      contentEncoding: header(req.headers['content-encoding']),
      target: header(req.headers['x-amz-target']),
      contentType: header(req.headers['content-type']),
    });
  const server: Server = createAwsEndpoint({
    handlers: {
      monitoring: (req) => (record(req), harness.standIn.metricsHandler(req)),
      logs: (req) => (record(req), harness.standIn.logsHandler(req)),
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('expected a TCP address');
  const config = {
    endpoint: `http://127.0.0.1:${address.port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  };
  const cloudwatch = new CloudWatchClient(config);
  const logs = new CloudWatchLogsClient(config);
  const harness: Harness = {
    dataDir,
    clock,
    standIn,
    requests,
    cloudwatch,
    logs,
    async restart() {
      await harness.standIn.close();
      standIn = await open();
      harness.standIn = standIn;
    },
    async close() {
      cloudwatch.destroy();
      logs.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await harness.standIn.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return harness;
}

const header = (value: string | string[] | undefined) => (Array.isArray(value) ? value.join(',') : value);
