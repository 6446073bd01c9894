/**
 * The IoT stand-in alone in a child process (`iot-server-main.ts`) on a data folder the test
 * owns, for the durability tests of the shadow and Jobs: each `start()` runs a new child on the
 * same folder, so a test can kill one with SIGKILL and check what the next one finds. Registers
 * its own cleanup (every child closed, the folder removed) with vitest.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { startReadyChild, type ReadyChild } from '../child-process/index.ts';

const script = fileURLToPath(new URL('../iot/iot-server-main.ts', import.meta.url));

/** What an AWS SDK client needs to call a started child. */
export interface IotServerChild {
  readonly child: ReadyChild;
  readonly clientConfig: {
    readonly endpoint: string;
    readonly region: string;
    readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
    readonly maxAttempts: number;
  };
}

export function iotServerChildren(folderPrefix: string): { start(): Promise<IotServerChild> } {
  let dataDir: string;
  const children: ReadyChild[] = [];
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), folderPrefix));
  });
  afterAll(async () => {
    await Promise.all(children.map((child) => child.close()));
    await rm(dataDir, { recursive: true, force: true });
  });
  return {
    async start() {
      const child = await startReadyChild({ name: 'iot', script, args: [dataDir], execArgv: ['--import', 'tsx'] });
      children.push(child);
      const clientConfig = {
        endpoint: `http://127.0.0.1:${child.port}`,
        region: 'us-east-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        maxAttempts: 1,
      };
      return { child, clientConfig };
    },
  };
}
