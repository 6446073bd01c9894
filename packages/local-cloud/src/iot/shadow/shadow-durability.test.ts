/**
 * Durability of the Device Shadow service against an abrupt stop: the IoT stand-in runs in a child
 * process that is killed with SIGKILL (no graceful close) right after the last answer, then
 * restarted on the same data folder: every acknowledged update is there, in version order.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DeleteThingShadowCommand,
  GetThingShadowCommand,
  IoTDataPlaneClient,
  UpdateThingShadowCommand,
} from '@aws-sdk/client-iot-data-plane';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startReadyChild, type ReadyChild } from '../../child-process/index.ts';

const script = fileURLToPath(new URL('../iot-server-main.ts', import.meta.url));
let dataDir: string;
const children: ReadyChild[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'shadow-durability-'));
});
afterAll(async () => {
  await Promise.all(children.map((child) => child.close()));
  await rm(dataDir, { recursive: true, force: true });
});

async function start(): Promise<{ child: ReadyChild; data: IoTDataPlaneClient }> {
  const child = await startReadyChild({ name: 'iot', script, args: [dataDir], execArgv: ['--import', 'tsx'] });
  children.push(child);
  const data = new IoTDataPlaneClient({
    endpoint: `http://127.0.0.1:${child.port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  return { child, data };
}

const body = (payload: Uint8Array | undefined) => JSON.parse(Buffer.from(payload ?? []).toString()) as Record<string, unknown>;

it('after kill -9 and restart, every acknowledged update and deletion is there', async () => {
  const first = await start();
  // Concurrent writers on shared and separate shadows, so acknowledgements come from group-committed batches.
  await Promise.all(
    Array.from({ length: 10 }, async (_, worker) => {
      for (let i = 1; i <= 5; i++) {
        const payload = Buffer.from(JSON.stringify({ state: { reported: { [`w${worker}`]: i } } }));
        await first.data.send(new UpdateThingShadowCommand({ thingName: 'shared', payload }));
        await first.data.send(new UpdateThingShadowCommand({ thingName: `own-${worker}`, shadowName: 'cfg', payload }));
      }
    }),
  );
  await first.data.send(new DeleteThingShadowCommand({ thingName: 'own-0', shadowName: 'cfg' }));

  first.child.process.kill('SIGKILL');
  await first.child.exited;
  first.data.destroy();

  const second = await start();
  const shared = body((await second.data.send(new GetThingShadowCommand({ thingName: 'shared' }))).payload);
  expect(shared).toMatchObject({
    version: 50,
    state: { reported: Object.fromEntries(Array.from({ length: 10 }, (_, w) => [`w${w}`, 5])) },
  });
  for (let worker = 1; worker < 10; worker++) {
    const own = body((await second.data.send(new GetThingShadowCommand({ thingName: `own-${worker}`, shadowName: 'cfg' }))).payload);
    expect(own).toMatchObject({ version: 5, state: { reported: { [`w${worker}`]: 5 } } });
  }
  await expect(second.data.send(new GetThingShadowCommand({ thingName: 'own-0', shadowName: 'cfg' }))).rejects.toMatchObject({
    name: 'ResourceNotFoundException',
  });
  second.data.destroy();
  await second.child.close();
});
