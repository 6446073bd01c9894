/**
 * Durability of the IoT Jobs stand-in against an abrupt stop: the IoT stand-in runs in a child
 * process (../iot-server-main.ts) that is killed with SIGKILL (no graceful close) right after its last answer, then
 * restarted on the same data folder: every acknowledged job and execution change is there.
 */
import { CreateJobCommand, CreateThingCommand, DescribeJobCommand, IoTClient, ListJobExecutionsForThingCommand } from '@aws-sdk/client-iot';
import {
  IoTJobsDataPlaneClient,
  StartNextPendingJobExecutionCommand,
  UpdateJobExecutionCommand,
} from '@aws-sdk/client-iot-jobs-data-plane';
import { expect, it } from 'vitest';
import { iotServerChildren } from '../../testing/iot-server-child.ts';

const children = iotServerChildren('iot-jobs-durability-');

async function start() {
  const { child, clientConfig } = await children.start();
  return { child, control: new IoTClient(clientConfig), jobsData: new IoTJobsDataPlaneClient(clientConfig) };
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
