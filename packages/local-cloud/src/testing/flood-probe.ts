/**
 * Flood probe, run as a child process by iot/broker/broker-abuse.test.ts (a crash must not take the test
 * runner down): an aedes broker on 127.0.0.1 with the given emitter concurrency, 100 publishers
 * flooding QoS 0 without flow control on their own topics, one subscriber on one of them only.
 * Prints one JSON line: `{ survived, delivered, accepted }` or `{ crashed }`.
 *
 * Usage: node --import tsx flood-probe.ts <concurrency> <messagesPerPublisher>
 */
import { createServer, type AddressInfo } from 'node:net';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';

const concurrency = Number(process.argv[2] ?? '100');
const perPublisher = Number(process.argv[3] ?? '1500');
const publishers = 100;

process.on('uncaughtException', (err) => {
  process.stdout.write(`${JSON.stringify({ crashed: err.message })}\n`);
  process.exit(3);
});

const broker = await Aedes.createBroker({ concurrency });
let accepted = 0;
broker.on('publish', (packet) => {
  if (!packet.topic.startsWith('$SYS/')) accepted++;
});
const server = createServer(broker.handle);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = (server.address() as AddressInfo).port;

const subscriber = await mqtt.connectAsync({ host: '127.0.0.1', port, clientId: 'sub', reconnectPeriod: 0 });
await subscriber.subscribeAsync('flood/p0', { qos: 0 });
let delivered = 0;
subscriber.on('message', () => delivered++);

const clients = await Promise.all(
  Array.from({ length: publishers }, (_, i) => mqtt.connectAsync({ host: '127.0.0.1', port, clientId: `p${i}`, reconnectPeriod: 0 })),
);
const payload = Buffer.alloc(100, 120);
for (let k = 0; k < perPublisher; k++) {
  for (const [i, client] of clients.entries()) client.publish(`flood/p${i}`, payload, { qos: 0 });
}
const total = publishers * perPublisher;
const deadline = Date.now() + 20_000;
// The subscriber's messages arrive after the broker accepted them: waiting on `accepted` alone
// printed while some were still on their way (615 of 1,000 once, on a busy machine).
while ((accepted < total || delivered < perPublisher) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
process.stdout.write(`${JSON.stringify({ survived: true, accepted, delivered, total })}\n`);
process.exit(0);
