/**
 * For the Cognito tests: the stand-in behind the real AWS endpoint router on an ephemeral port,
 * with the real SDK clients pointed at it, and a clock the test can move.
 */
import { mkdtemp } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CognitoIdentityClient } from '@aws-sdk/client-cognito-identity';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { pino } from 'pino';
import { createAwsEndpoint } from '../aws-endpoint/index.ts';
import { createCognitoStandIn, type CognitoStandIn } from '../cognito/index.ts';

export interface CognitoHarness {
  readonly dataDir: string;
  readonly endpoint: string;
  readonly standIn: CognitoStandIn;
  readonly idp: CognitoIdentityProviderClient;
  readonly identity: CognitoIdentityClient;
  /** Milliseconds added to the wall clock the stand-in sees (negative: mint tokens in the past). */
  clockOffsetMs: number;
  close(): Promise<void>;
}

export const newDataDir = () => mkdtemp(join(tmpdir(), 'fleet-cognito-'));

export async function startCognitoHarness(options: { dataDir?: string } = {}): Promise<CognitoHarness> {
  const dataDir = options.dataDir ?? (await newDataDir());
  const log = pino({ level: 'silent' });
  const harness = { clockOffsetMs: 0 };
  const standIn = await createCognitoStandIn({ dataDir, region: 'us-east-1', log, now: () => Date.now() + harness.clockOffsetMs });
  const server = createAwsEndpoint({
    handlers: { 'cognito-idp': standIn.userPoolHandler, 'cognito-identity': standIn.identityHandler },
    httpRoutes: [{ prefix: '/us-east-1_', handler: standIn.jwksHandler }],
    log,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config = { region: 'us-east-1', endpoint, credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' } };
  const idp = new CognitoIdentityProviderClient(config);
  const identity = new CognitoIdentityClient(config);
  return Object.assign(harness, {
    dataDir,
    endpoint,
    standIn,
    idp,
    identity,
    async close() {
      idp.destroy();
      identity.destroy();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
      await standIn.close();
    },
  });
}

/** Awaits a promise expected to reject and returns the AWS error name and message. */
export async function awsErrorOf(promise: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await promise;
  } catch (err) {
    const e = err as Error;
    return { name: e.name, message: e.message };
  }
  throw new Error('Expected the AWS call to fail, but it succeeded');
}
