/**
 * Runs the SNS stand-in alone behind its own AWS endpoint port, as a child process:
 * `node --import tsx sns-server-main.ts <dataDir> [port]`. Prints `ready on port N` once it
 * answers, and exits when its parent closes stdin. The durability test kills it with SIGKILL.
 */
import type { AddressInfo } from 'node:net';
import { createAwsEndpoint, type AwsServiceHandler } from '../aws-endpoint/index.ts';
import { announceReady, exitWithParent } from '../child-process/child-entry.mjs';
import { createSnsStandIn } from './sns-stand-in.ts';

const [dataDir, portText = '0'] = process.argv.slice(2);
if (!dataDir) throw new Error(`usage: sns-server-main.ts <dataDir> [port]; received ${JSON.stringify(process.argv.slice(2))}`);

let handler: AwsServiceHandler = () => Promise.reject(new Error('SNS stand-in is starting'));
let certificate: AwsServiceHandler = handler;
const server = createAwsEndpoint({
  handlers: { sns: (req) => handler(req) },
  httpRoutes: [{ prefix: '/_fleet/sns/', handler: (req) => certificate(req) }],
});
await new Promise<void>((resolve) => server.listen(Number(portText), '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;
const standIn = await createSnsStandIn({
  dataDir,
  endpointUrl: `http://127.0.0.1:${port}`,
  region: 'us-east-1',
  accountId: '000000000000',
});
handler = standIn.handler;
certificate = standIn.certificateHandler;
exitWithParent(async () => {
  await standIn.close();
  server.close();
});
announceReady(port);
