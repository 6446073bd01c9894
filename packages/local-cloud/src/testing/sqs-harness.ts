/**
 * The local cloud's SQS stand-in behind the local AWS endpoint on an ephemeral port, in a
 * temporary data folder, with an `SQSClient` pointed at it: the queue the Data Service's tests
 * consume from through the real SDK.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createAwsEndpoint } from '../aws-endpoint/index.ts';
import { createSqsStandIn, type SqsStandIn } from '../sqs/index.ts';

export interface SqsHarness {
  readonly endpointUrl: string;
  readonly standIn: SqsStandIn;
  readonly sqs: SQSClient;
  close(): Promise<void>;
}

export async function startSqsHarness(): Promise<SqsHarness> {
  const dataDir = await mkdtemp(join(tmpdir(), 'fleet-test-sqs-'));
  let standIn: SqsStandIn | undefined;
  // The queue URLs the stand-in answers carry the endpoint's port, known only once it listens.
  const server = createAwsEndpoint({ handlers: { sqs: (req) => standIn!.handler(req) } });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpointUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const started = await createSqsStandIn({ dataDir, endpointUrl });
  standIn = started;
  const sqs = new SQSClient({ endpoint: endpointUrl, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  return {
    endpointUrl,
    standIn: started,
    sqs,
    async close() {
      sqs.destroy();
      await started.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
