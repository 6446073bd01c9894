/**
 * Runs the IoT stand-in alone behind its own AWS endpoint port, as a child process:
 * `node --import tsx iot-server-main.ts <dataDir> [port]`. Prints `ready on port N` once it
 * answers, and exits when its parent closes stdin. The shadow and Jobs durability tests kill it
 * with SIGKILL.
 * A no-op message listener stands in for the rules engine (the broker listens only behind one).
 */
import type { AddressInfo } from 'node:net';
import { createAwsEndpoint, type AwsServiceHandler } from '../aws-endpoint/index.ts';
import { announceReady, exitWithParent } from '../child-process/child-entry.mjs';
import { createIotStandIn } from './index.ts';

const [dataDir, portText = '0'] = process.argv.slice(2);
if (!dataDir) throw new Error(`usage: iot-server-main.ts <dataDir> [port]; received ${JSON.stringify(process.argv.slice(2))}`);

const starting: AwsServiceHandler = () => Promise.reject(new Error('IoT stand-in is starting'));
let handlers = { iot: starting, iotdata: starting, jobs: starting };
const server = createAwsEndpoint({
  handlers: { iot: (req) => handlers.iot(req), iotdata: (req) => handlers.iotdata(req), 'iot-jobs-data': (req) => handlers.jobs(req) },
});
await new Promise<void>((resolve) => server.listen(Number(portText), '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;
const iot = await createIotStandIn({
  dataDir,
  region: 'us-east-1',
  accountId: '000000000000',
  host: '127.0.0.1',
  mqttPort: 0,
  wsPort: 0,
  resolveCredentials: () => undefined,
});
iot.onMessage(() => undefined);
await iot.listen();
handlers = { iot: iot.controlHandler, iotdata: iot.dataHandler, jobs: iot.jobsDataHandler };
exitWithParent(async () => {
  await iot.close();
  server.close();
});
announceReady(port);
