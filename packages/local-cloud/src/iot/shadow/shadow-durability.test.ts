/**
 * Durability of the Device Shadow service against an abrupt stop: the IoT stand-in runs in a child
 * process that is killed with SIGKILL (no graceful close) right after the last answer, then
 * restarted on the same data folder: every acknowledged update is there, in version order.
 */
import {
  DeleteThingShadowCommand,
  GetThingShadowCommand,
  IoTDataPlaneClient,
  UpdateThingShadowCommand,
} from '@aws-sdk/client-iot-data-plane';
import { expect, it } from 'vitest';
import type { ReadyChild } from '../../child-process/index.ts';
import { iotServerChildren } from '../../testing/iot-server-child.ts';

const children = iotServerChildren('shadow-durability-');

async function start(): Promise<{ child: ReadyChild; data: IoTDataPlaneClient }> {
  const { child, clientConfig } = await children.start();
  return { child, data: new IoTDataPlaneClient(clientConfig) };
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
