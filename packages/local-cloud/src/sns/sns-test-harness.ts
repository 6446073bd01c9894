/**
 * Test support: the SNS stand-in behind the local AWS endpoint with access control (SigV4 against
 * root and task keys, IAM from the shared task policies) on an ephemeral loopback port, in a
 * temporary data folder, with `SNSClient`s for the root and for the API task (whose role has no SNS
 * permission: the IAM refusals). `restart()` closes the stand-in and opens it again on the same
 * folder and port, as a restart of the local cloud does.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SNSClient } from '@aws-sdk/client-sns';
import { createAwsEndpoint, type AwsServiceHandler, type EndpointAccess } from '../aws-endpoint/index.ts';
import { credentialResolver, localArns } from '../iam/index.ts';
import { mailboxPath } from './mailbox-route.ts';
import { createSnsStandIn, type SnsStandIn, type SnsStandInOptions } from './sns-stand-in.ts';

export const testRegion = 'us-east-1';
export const testAccount = '000000000000';
export const rootKeys = { accessKeyId: 'LKIAROOT', secretAccessKey: 'root-secret' };
export const apiTaskKeys = { accessKeyId: 'LKIAAPI', secretAccessKey: 'api-secret' };

export interface SnsHarness {
  readonly endpointUrl: string;
  readonly dataDir: string;
  readonly sns: SNSClient;
  /** Signed with the API task's keys: its role grants no SNS action. */
  readonly apiTaskSns: SNSClient;
  standIn(): SnsStandIn;
  restart(): Promise<void>;
  close(): Promise<void>;
}

export type HarnessOptions = Partial<Omit<SnsStandInOptions, 'dataDir' | 'endpointUrl' | 'region' | 'accountId'>>;

export async function startSnsHarness(options: HarnessOptions = {}): Promise<SnsHarness> {
  const dataDir = await mkdtemp(join(tmpdir(), 'fleet-test-sns-'));
  let current: SnsStandIn | undefined;
  const via =
    (pick: (standIn: SnsStandIn) => AwsServiceHandler): AwsServiceHandler =>
    (req) =>
      current ? pick(current)(req) : Promise.reject(new Error('SNS stand-in is restarting'));
  const arns = localArns({ region: testRegion, account: testAccount, userPoolId: () => 'us-east-1_pool' });
  const access: EndpointAccess = {
    credentials: credentialResolver({ root: rootKeys, tasks: { api: apiTaskKeys }, identities: () => undefined, arns }),
    arns,
    allowedOrigins: new Set(['http://127.0.0.1:3000']),
    isAllowedHost: (host) => host === '127.0.0.1' || host === 'localhost',
  };
  const server = createAwsEndpoint({
    access,
    handlers: { sns: via((s) => s.handler) },
    httpRoutes: [
      { prefix: '/_fleet/sns/', handler: via((s) => s.certificateHandler) },
      { prefix: mailboxPath, handler: via((s) => s.mailboxHandler) },
    ],
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpointUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const open = () => createSnsStandIn({ dataDir, endpointUrl, region: testRegion, accountId: testAccount, retrySecondMs: 10, ...options });
  current = await open();
  const client = (credentials: typeof rootKeys) =>
    new SNSClient({ endpoint: endpointUrl, region: testRegion, credentials, maxAttempts: 1 });
  const sns = client(rootKeys);
  const apiTaskSns = client(apiTaskKeys);
  return {
    endpointUrl,
    dataDir,
    sns,
    apiTaskSns,
    standIn: () => current!,
    async restart() {
      const closing = current;
      current = undefined;
      await closing?.close();
      current = await open();
    },
    async close() {
      sns.destroy();
      apiTaskSns.destroy();
      await current?.close();
      current = undefined;
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
