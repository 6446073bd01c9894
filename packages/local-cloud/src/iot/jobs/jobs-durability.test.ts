/**
 * Durability of the IoT Jobs stand-in against an abrupt stop: the IoT stand-in runs in a child
 * process (../iot-server-main.ts) that is killed with SIGKILL (no graceful close) right after its last answer, then
 * restarted on the same data folder: every acknowledged job and execution change is there.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateJobCommand, CreateThingCommand, DescribeJobCommand, IoTClient, ListJobExecutionsForThingCommand } from '@aws-sdk/client-iot';
import {
  IoTJobsDataPlaneClient,
  StartNextPendingJobExecutionCommand,
  UpdateJobExecutionCommand,
} from '@aws-sdk/client-iot-jobs-data-plane';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startReadyChild, type ReadyChild } from '../../child-process/index.ts';

const script = fileURLToPath(new URL('../iot-server-main.ts', import.meta.url));
let dataDir: string;
const children: ReadyChild[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'iot-jobs-durability-'));
});
afterAll(async () => {
  await Promise.all(children.map((child) => child.close()));
  await rm(dataDir, { recursive: true, force: true });
});

async function start() {
  const child = await startReadyChild({ name: 'iot-jobs', script, args: [dataDir], execArgv: ['--import', 'tsx'] });
  children.push(child);
  const config = {
    endpoint: `http://127.0.0.1:${child.port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  };
  return { child, control: new IoTClient(config), jobsData: new IoTJobsDataPlaneClient(config) };
}

const thingArn = (name: string) => `arn:aws:iot:us-east-1:000000000000:thing/${name}`;

it('after kill -9 and restart, every acknowledged job, start and completion is there', async () => {
  const first = await start();
  const things = Array.from({ length: 8 }, (_, i) => `durable-${i}`);
  for (const thingName of things) await first.control.send(new CreateThingCommand({ thingName }));
  // Concurrent requests, so acknowledgements come from group-committed batches.
  await Promise.all(
    things.map(async (thingName) => {
      for (let j = 0; j < 3; j++) {
        await first.control.send(
          new CreateJobCommand({ jobId: `${thingName}-job-${j}`, targets: [thingArn(thingName)], document: '{"n":1}' }),
        );
      }
      await first.jobsData.send(new StartNextPendingJobExecutionCommand({ thingName }));
      await first.jobsData.send(new UpdateJobExecutionCommand({ thingName, jobId: `${thingName}-job-0`, status: 'SUCCEEDED' }));
      await first.jobsData.send(new StartNextPendingJobExecutionCommand({ thingName, statusDetails: { step: 'acknowledged' } }));
    }),
  );
  // The last acknowledgement is out: stop without any chance to flush or close.
  first.child.process.kill('SIGKILL');
  await first.child.exited;
  first.control.destroy();
  first.jobsData.destroy();

  const second = await start();
  for (const thingName of things) {
    const { executionSummaries = [] } = await second.control.send(new ListJobExecutionsForThingCommand({ thingName }));
    expect(executionSummaries.map((s) => [s.jobId, s.jobExecutionSummary?.status])).toEqual([
      [`${thingName}-job-0`, 'SUCCEEDED'],
      [`${thingName}-job-1`, 'IN_PROGRESS'],
      [`${thingName}-job-2`, 'QUEUED'],
    ]);
    const { job } = await second.control.send(new DescribeJobCommand({ jobId: `${thingName}-job-0` }));
    expect(job?.status).toBe('COMPLETED');
  }
  second.control.destroy();
  second.jobsData.destroy();
  await second.child.close();
});
