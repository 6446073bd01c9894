/**
 * The Jobs events on `$aws/events/job/...` and `$aws/events/jobExecution/...`: off by default as on
 * AWS, published through the broker (rules and subscribers see them) once UpdateEventConfigurations
 * enables JOB and JOB_EXECUTION.
 */
import {
  CreateJobCommand,
  CreateThingCommand,
  DescribeEventConfigurationsCommand,
  UpdateEventConfigurationsCommand,
} from '@aws-sdk/client-iot';
import { StartNextPendingJobExecutionCommand, UpdateJobExecutionCommand } from '@aws-sdk/client-iot-jobs-data-plane';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAwsError } from '../../testing/aws-error-expectation.ts';
import { accountId, region, startFixture, type Fixture } from '../../testing/iot-fixture.ts';
import { eventually } from '../../testing/mqtt-test-client.ts';

let fixture: Fixture;
const thingArn = `arn:aws:iot:${region}:${accountId}:thing/ev-1`;

beforeAll(async () => {
  fixture = await startFixture();
  await fixture.control.send(new CreateThingCommand({ thingName: 'ev-1' }));
});
afterAll(async () => {
  await fixture.close();
});

const eventsOf = (prefix: string) =>
  fixture.messages
    .filter((m) => m.topic.startsWith(prefix))
    .map((m) => ({ topic: m.topic, body: JSON.parse(m.payload.toString()) as unknown }));

async function runJob(jobId: string): Promise<void> {
  await fixture.control.send(new CreateJobCommand({ jobId, targets: [thingArn], document: '{"op":"x"}' }));
  await fixture.jobsData.send(new StartNextPendingJobExecutionCommand({ thingName: 'ev-1' }));
  await fixture.jobsData.send(
    new UpdateJobExecutionCommand({ thingName: 'ev-1', jobId, status: 'SUCCEEDED', statusDetails: { done: 'yes' } }),
  );
}

describe('Jobs events', () => {
  it('are off by default', async () => {
    const { eventConfigurations } = await fixture.control.send(new DescribeEventConfigurationsCommand({}));
    expect(eventConfigurations?.JOB).toEqual({ Enabled: false });
    expect(eventConfigurations?.JOB_EXECUTION).toEqual({ Enabled: false });
    await runJob('ev-quiet');
    expect(eventsOf('$aws/events/job')).toEqual([]);
  });

  it('once enabled, announce an execution reaching a terminal status and a job completing', async () => {
    await fixture.control.send(
      new UpdateEventConfigurationsCommand({ eventConfigurations: { JOB: { Enabled: true }, JOB_EXECUTION: { Enabled: true } } }),
    );
    expect((await fixture.control.send(new DescribeEventConfigurationsCommand({}))).eventConfigurations?.JOB_EXECUTION).toEqual({
      Enabled: true,
    });
    await runJob('ev-loud');
    await eventually(() => eventsOf('$aws/events/job/ev-loud/').length > 0, 5_000, 'the job event');
    expect(eventsOf('$aws/events/jobExecution/')).toEqual([
      {
        topic: '$aws/events/jobExecution/ev-loud/succeeded',
        body: expect.objectContaining({
          eventType: 'JOB_EXECUTION',
          operation: 'succeeded',
          jobId: 'ev-loud',
          thingArn,
          status: 'SUCCEEDED',
          statusDetails: { done: 'yes' },
        }),
      },
    ]);
    expect(eventsOf('$aws/events/job/')).toEqual([
      {
        topic: '$aws/events/job/ev-loud/completed',
        body: expect.objectContaining({
          eventType: 'JOB',
          operation: 'completed',
          status: 'COMPLETED',
          targets: [thingArn],
          jobProcessDetails: expect.objectContaining({ numberOfSucceededThings: 1 }),
        }),
      },
    ]);
  });

  it('refuses an unknown event type', async () => {
    await expectAwsError(
      fixture.control.send(new UpdateEventConfigurationsCommand({ eventConfigurations: { NOPE: { Enabled: true } } as never })),
      'InvalidRequestException',
      400,
    );
  });
});
