/**
 * Contract test of the IoT Jobs data plane through `@aws-sdk/client-iot-jobs-data-plane`
 * (GetPendingJobExecutions, StartNextPendingJobExecution, DescribeJobExecution,
 * UpdateJobExecution), the execution timers with an injected clock, and durability across a
 * restart of the stand-in.
 */
import {
  CreateJobCommand,
  CreateThingCommand,
  DescribeJobCommand,
  DescribeJobExecutionCommand as ControlDescribe,
} from '@aws-sdk/client-iot';
import {
  DescribeJobExecutionCommand,
  GetPendingJobExecutionsCommand,
  StartNextPendingJobExecutionCommand,
  UpdateJobExecutionCommand,
} from '@aws-sdk/client-iot-jobs-data-plane';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAwsError } from '../../testing/aws-error-expectation.ts';
import { accountId, region, startFixture, type Fixture } from '../../testing/iot-fixture.ts';

/** Polls an asynchronous check until it holds (rejects after 5 s). */
async function eventuallyAsync(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the condition');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

let fixture: Fixture;
/** The Jobs clock, moved by the tests. */
let clock = Date.UTC(2026, 5, 1, 12);
const minute = 60_000;
const thing = (name: string) => `arn:aws:iot:${region}:${accountId}:thing/${name}`;

beforeAll(async () => {
  fixture = await startFixture({ now: () => clock });
  for (const thingName of ['dp-1', 'dp-2', 'dp-3']) await fixture.control.send(new CreateThingCommand({ thingName }));
});
afterAll(async () => {
  await fixture.close();
});

const createJob = (jobId: string, thingName: string, extra: Partial<ConstructorParameters<typeof CreateJobCommand>[0]> = {}) =>
  fixture.control.send(new CreateJobCommand({ jobId, targets: [thing(thingName)], document: JSON.stringify({ jobId }), ...extra }));

describe('device operations over HTTPS', () => {
  it('lists pending executions, starts the next one and completes it', async () => {
    await createJob('dp-a', 'dp-1');
    clock += 1000;
    await createJob('dp-b', 'dp-1');
    const pending = await fixture.jobsData.send(new GetPendingJobExecutionsCommand({ thingName: 'dp-1' }));
    expect(pending.inProgressJobs).toEqual([]);
    expect(pending.queuedJobs?.map((j) => [j.jobId, j.versionNumber, j.executionNumber])).toEqual([
      ['dp-a', 1, 1],
      ['dp-b', 1, 1],
    ]);
    expect(pending.queuedJobs?.[0]?.queuedAt).toBe(Math.floor((clock - 1000) / 1000));

    const started = await fixture.jobsData.send(
      new StartNextPendingJobExecutionCommand({ thingName: 'dp-1', statusDetails: { step: 'download' } }),
    );
    expect(started.execution).toMatchObject({
      jobId: 'dp-a',
      thingName: 'dp-1',
      status: 'IN_PROGRESS',
      statusDetails: { step: 'download' },
      versionNumber: 2,
      jobDocument: JSON.stringify({ jobId: 'dp-a' }),
    });
    const described = await fixture.jobsData.send(new DescribeJobExecutionCommand({ thingName: 'dp-1', jobId: '$next' }));
    expect(described.execution).toMatchObject({ jobId: 'dp-a', status: 'IN_PROGRESS' });
    expect(described.execution?.jobDocument).toBeUndefined();

    const updated = await fixture.jobsData.send(
      new UpdateJobExecutionCommand({
        thingName: 'dp-1',
        jobId: 'dp-a',
        status: 'SUCCEEDED',
        expectedVersion: 2,
        statusDetails: { step: 'done' },
        includeJobExecutionState: true,
        includeJobDocument: true,
      }),
    );
    expect(updated).toMatchObject({
      executionState: { status: 'SUCCEEDED', statusDetails: { step: 'done' }, versionNumber: 3 },
      jobDocument: JSON.stringify({ jobId: 'dp-a' }),
    });
    const next = await fixture.jobsData.send(
      new DescribeJobExecutionCommand({ thingName: 'dp-1', jobId: '$next', includeJobDocument: true }),
    );
    expect(next.execution).toMatchObject({ jobId: 'dp-b', status: 'QUEUED', jobDocument: JSON.stringify({ jobId: 'dp-b' }) });
  });

  it('answers AWS errors: version mismatch, illegal transition, terminal state, unknown execution, bad status details', async () => {
    await expectAwsError(
      fixture.jobsData.send(new UpdateJobExecutionCommand({ thingName: 'dp-1', jobId: 'dp-b', status: 'IN_PROGRESS', expectedVersion: 9 })),
      'InvalidStateTransitionException',
      409,
    );
    await expectAwsError(
      fixture.jobsData.send(new UpdateJobExecutionCommand({ thingName: 'dp-1', jobId: 'dp-a', status: 'IN_PROGRESS' })),
      'InvalidStateTransitionException',
      409,
    );
    await expectAwsError(
      fixture.jobsData.send(new UpdateJobExecutionCommand({ thingName: 'dp-1', jobId: 'dp-b', status: 'CANCELED' })),
      'InvalidStateTransitionException',
      409,
    );
    await expectAwsError(
      fixture.jobsData.send(new DescribeJobExecutionCommand({ thingName: 'dp-1', jobId: 'dp-a' })),
      'TerminalStateException',
      410,
    );
    await expectAwsError(
      fixture.jobsData.send(new UpdateJobExecutionCommand({ thingName: 'dp-2', jobId: 'dp-a', status: 'SUCCEEDED' })),
      'ResourceNotFoundException',
      404,
    );
    await expectAwsError(
      fixture.jobsData.send(
        new UpdateJobExecutionCommand({ thingName: 'dp-1', jobId: 'dp-b', status: 'IN_PROGRESS', statusDetails: { 'bad key': 'x' } }),
      ),
      'InvalidRequestException',
      400,
    );
    const nothing = await fixture.jobsData.send(new StartNextPendingJobExecutionCommand({ thingName: 'dp-3' }));
    expect(nothing.execution).toBeUndefined();
  });
});

describe('execution timers', () => {
  it('times out an IN_PROGRESS execution at the end of its in-progress timer and retries it', async () => {
    await createJob('dp-timeout', 'dp-2', {
      timeoutConfig: { inProgressTimeoutInMinutes: 10 },
      jobExecutionsRetryConfig: { criteriaList: [{ failureType: 'TIMED_OUT', numberOfRetries: 1 }] },
    });
    const started = await fixture.jobsData.send(new StartNextPendingJobExecutionCommand({ thingName: 'dp-2' }));
    expect(started.execution?.approximateSecondsBeforeTimedOut).toBe(600);
    clock += 10 * minute - 1;
    expect(await fixture.iot.jobs.runDueTimeouts()).toBe(0);
    clock += 1;
    expect(await fixture.iot.jobs.runDueTimeouts()).toBe(1);
    const first = await fixture.control.send(new ControlDescribe({ jobId: 'dp-timeout', thingName: 'dp-2', executionNumber: 1 }));
    expect(first.execution?.status).toBe('TIMED_OUT');
    const retry = await fixture.control.send(new ControlDescribe({ jobId: 'dp-timeout', thingName: 'dp-2' }));
    expect(retry.execution).toMatchObject({ status: 'QUEUED', executionNumber: 2 });
  });

  it('a step timer shortens the timeout but never outlasts the in-progress timer', async () => {
    await fixture.jobsData.send(new StartNextPendingJobExecutionCommand({ thingName: 'dp-2', stepTimeoutInMinutes: 3 }));
    clock += 2 * minute;
    // A new step timer replaces the previous one, bounded by the in-progress timer (10 minutes from the start).
    const updated = await fixture.jobsData.send(
      new UpdateJobExecutionCommand({ thingName: 'dp-2', jobId: 'dp-timeout', status: 'IN_PROGRESS', stepTimeoutInMinutes: 60 }),
    );
    expect(updated).toBeDefined();
    const described = await fixture.jobsData.send(new DescribeJobExecutionCommand({ thingName: 'dp-2', jobId: 'dp-timeout' }));
    expect(described.execution?.approximateSecondsBeforeTimedOut).toBe(8 * 60);
    clock += 8 * minute;
    expect(await fixture.iot.jobs.runDueTimeouts()).toBe(1);
    const { job } = await fixture.control.send(new DescribeJobCommand({ jobId: 'dp-timeout' }));
    expect(job).toMatchObject({ status: 'COMPLETED', jobProcessDetails: { numberOfTimedOutThings: 1 } });
  });
});

describe('durability', () => {
  it('keeps jobs and executions across a restart, and times out at start an execution whose timer ended meanwhile', async () => {
    await createJob('dp-restart', 'dp-3', { timeoutConfig: { inProgressTimeoutInMinutes: 1 } });
    clock += 1000;
    await createJob('dp-later', 'dp-3');
    await fixture.jobsData.send(new StartNextPendingJobExecutionCommand({ thingName: 'dp-3' }));
    fixture = await fixture.restart();
    const kept = await fixture.control.send(new ControlDescribe({ jobId: 'dp-restart', thingName: 'dp-3' }));
    expect(kept.execution).toMatchObject({ status: 'IN_PROGRESS', versionNumber: 2 });
    const pending = await fixture.jobsData.send(new GetPendingJobExecutionsCommand({ thingName: 'dp-1' }));
    expect(pending.queuedJobs?.map((j) => j.jobId)).toEqual(['dp-b']);
    // The local cloud is down while the timer ends: the engine times the execution out when it starts again.
    clock += 2 * minute;
    fixture = await fixture.restart();
    const describe = () => fixture.control.send(new ControlDescribe({ jobId: 'dp-restart', thingName: 'dp-3' }));
    await eventuallyAsync(async () => (await describe()).execution?.status === 'TIMED_OUT');
    const next = await fixture.jobsData.send(new DescribeJobExecutionCommand({ thingName: 'dp-3', jobId: '$next' }));
    expect(next.execution).toMatchObject({ jobId: 'dp-later', status: 'QUEUED' });
  });
});
