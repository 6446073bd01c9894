/**
 * Contract test of the IoT Jobs control plane through `@aws-sdk/client-iot` (with the device's
 * side through `@aws-sdk/client-iot-jobs-data-plane` where a test needs an execution to move):
 * every operation, and AWS's rejections.
 */
import {
  AddThingToThingGroupCommand,
  CancelJobCommand,
  CancelJobExecutionCommand,
  CreateJobCommand,
  CreateThingCommand,
  CreateThingGroupCommand,
  DeleteJobCommand,
  DescribeJobCommand,
  DescribeJobExecutionCommand,
  GetJobDocumentCommand,
  ListJobExecutionsForJobCommand,
  ListJobExecutionsForThingCommand,
  ListJobsCommand,
  RemoveThingFromThingGroupCommand,
  type IoTClient,
} from '@aws-sdk/client-iot';
import { StartNextPendingJobExecutionCommand, UpdateJobExecutionCommand } from '@aws-sdk/client-iot-jobs-data-plane';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAwsError } from '../../testing/aws-error-expectation.ts';
import { accountId, region, startFixture, type Fixture } from '../../testing/iot-fixture.ts';

let fixture: Fixture;
let control: IoTClient;
const arn = (kind: string, name: string) => `arn:aws:iot:${region}:${accountId}:${kind}/${name}`;
const things = ['cp-1', 'cp-2', 'cp-3', 'cp-4'];

beforeAll(async () => {
  fixture = await startFixture();
  control = fixture.control;
  for (const thingName of things) await control.send(new CreateThingCommand({ thingName }));
  await control.send(new CreateThingGroupCommand({ thingGroupName: 'cp-group' }));
  for (const thingName of ['cp-2', 'cp-3']) await control.send(new AddThingToThingGroupCommand({ thingGroupName: 'cp-group', thingName }));
});
afterAll(async () => {
  await fixture.close();
});

const document = JSON.stringify({ operation: 'reboot' });
const start = (thingName: string) => fixture.jobsData.send(new StartNextPendingJobExecutionCommand({ thingName }));
const report = (thingName: string, jobId: string, status: 'SUCCEEDED' | 'FAILED' | 'REJECTED') =>
  fixture.jobsData.send(new UpdateJobExecutionCommand({ thingName, jobId, status }));

describe('CreateJob and DescribeJob', () => {
  it('queues an execution on each target thing, those of a thing group included, and counts them', async () => {
    const created = await control.send(
      new CreateJobCommand({
        jobId: 'cp-job-1',
        targets: [arn('thing', 'cp-1'), arn('thinggroup', 'cp-group')],
        document,
        description: 'reboot',
      }),
    );
    expect(created).toMatchObject({ jobId: 'cp-job-1', jobArn: arn('job', 'cp-job-1'), description: 'reboot' });
    const { job } = await control.send(new DescribeJobCommand({ jobId: 'cp-job-1' }));
    expect(job).toMatchObject({
      jobId: 'cp-job-1',
      status: 'IN_PROGRESS',
      targetSelection: 'SNAPSHOT',
      targets: [arn('thing', 'cp-1'), arn('thinggroup', 'cp-group')],
      jobProcessDetails: { numberOfQueuedThings: 3, numberOfInProgressThings: 0, numberOfSucceededThings: 0 },
    });
    expect(job?.createdAt).toBeInstanceOf(Date);
    expect(await control.send(new GetJobDocumentCommand({ jobId: 'cp-job-1' }))).toMatchObject({ document });
  });

  it('refuses a duplicate job id, an unknown thing, a document too large or not JSON', async () => {
    await expectAwsError(
      control.send(new CreateJobCommand({ jobId: 'cp-job-1', targets: [arn('thing', 'cp-1')], document })),
      'ResourceAlreadyExistsException',
      409,
    );
    await expectAwsError(
      control.send(new CreateJobCommand({ jobId: 'cp-unknown', targets: [arn('thing', 'no-such-thing')], document })),
      'ResourceNotFoundException',
      404,
    );
    const large = JSON.stringify({ blob: 'x'.repeat(32_768) });
    await expectAwsError(
      control.send(new CreateJobCommand({ jobId: 'cp-large', targets: [arn('thing', 'cp-1')], document: large })),
      'InvalidRequestException',
      400,
    );
    await expectAwsError(
      control.send(new CreateJobCommand({ jobId: 'cp-bad', targets: [arn('thing', 'cp-1')], document: '{not json' })),
      'InvalidRequestException',
      400,
    );
    await expectAwsError(
      control.send(new CreateJobCommand({ jobId: 'cp-array', targets: [arn('thing', 'cp-1')], document: '[1,2]' })),
      'InvalidRequestException',
      400,
    );
    await expectAwsError(control.send(new DescribeJobCommand({ jobId: 'never' })), 'ResourceNotFoundException', 404);
  });

  it('completes a snapshot job once every execution is terminal', async () => {
    await control.send(new CreateJobCommand({ jobId: 'cp-short', targets: [arn('thing', 'cp-4')], document }));
    await start('cp-4');
    await report('cp-4', 'cp-short', 'SUCCEEDED');
    const { job } = await control.send(new DescribeJobCommand({ jobId: 'cp-short' }));
    expect(job).toMatchObject({ status: 'COMPLETED', jobProcessDetails: { numberOfSucceededThings: 1, numberOfQueuedThings: 0 } });
    expect(job?.completedAt).toBeInstanceOf(Date);
  });
});

describe('ListJobs and the execution lists', () => {
  it('lists jobs by status, page by page', async () => {
    const completed = await control.send(new ListJobsCommand({ status: 'COMPLETED' }));
    expect(completed.jobs?.map((j) => j.jobId)).toEqual(['cp-short']);
    const ids: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await control.send(new ListJobsCommand({ maxResults: 1, nextToken }));
      ids.push(...(page.jobs ?? []).map((j) => j.jobId as string));
      nextToken = page.nextToken;
    } while (nextToken);
    expect(ids.sort()).toEqual(['cp-job-1', 'cp-short']);
  });

  it('describes an execution and lists the executions of a thing and of a job', async () => {
    const { execution } = await control.send(new DescribeJobExecutionCommand({ jobId: 'cp-job-1', thingName: 'cp-2' }));
    expect(execution).toMatchObject({
      jobId: 'cp-job-1',
      thingArn: arn('thing', 'cp-2'),
      status: 'QUEUED',
      executionNumber: 1,
      versionNumber: 1,
    });
    expect(execution?.queuedAt).toBeInstanceOf(Date);
    const forThing = await control.send(new ListJobExecutionsForThingCommand({ thingName: 'cp-4' }));
    expect(forThing.executionSummaries).toEqual([
      { jobId: 'cp-short', jobExecutionSummary: expect.objectContaining({ status: 'SUCCEEDED', executionNumber: 1, retryAttempt: 0 }) },
    ]);
    const forJob = await control.send(new ListJobExecutionsForJobCommand({ jobId: 'cp-job-1', status: 'QUEUED' }));
    expect(forJob.executionSummaries?.map((s) => s.thingArn).sort()).toEqual(['cp-1', 'cp-2', 'cp-3'].map((t) => arn('thing', t)));
    await expectAwsError(
      control.send(new DescribeJobExecutionCommand({ jobId: 'cp-job-1', thingName: 'cp-4' })),
      'ResourceNotFoundException',
      404,
    );
  });
});

describe('CancelJobExecution, CancelJob and DeleteJob', () => {
  it('cancels a QUEUED execution; an IN_PROGRESS one only with force; checks expectedVersion', async () => {
    await expectAwsError(
      control.send(new CancelJobExecutionCommand({ jobId: 'cp-job-1', thingName: 'cp-1', expectedVersion: 5 })),
      'VersionConflictException',
      409,
    );
    await control.send(new CancelJobExecutionCommand({ jobId: 'cp-job-1', thingName: 'cp-1', expectedVersion: 1 }));
    expect((await control.send(new DescribeJobExecutionCommand({ jobId: 'cp-job-1', thingName: 'cp-1' }))).execution).toMatchObject({
      status: 'CANCELED',
      versionNumber: 2,
    });
    await expectAwsError(
      control.send(new CancelJobExecutionCommand({ jobId: 'cp-job-1', thingName: 'cp-1' })),
      'InvalidStateTransitionException',
      409,
    );
    await start('cp-2');
    await expectAwsError(
      control.send(new CancelJobExecutionCommand({ jobId: 'cp-job-1', thingName: 'cp-2' })),
      'InvalidStateTransitionException',
      409,
    );
  });

  it('cancels a job: QUEUED executions are canceled, IN_PROGRESS ones run on unless forced', async () => {
    const canceled = await control.send(new CancelJobCommand({ jobId: 'cp-job-1', comment: 'not needed', reasonCode: 'OBSOLETE' }));
    expect(canceled).toMatchObject({ jobId: 'cp-job-1', jobArn: arn('job', 'cp-job-1') });
    const { job } = await control.send(new DescribeJobCommand({ jobId: 'cp-job-1' }));
    expect(job).toMatchObject({
      status: 'CANCELED',
      comment: 'not needed',
      reasonCode: 'OBSOLETE',
      forceCanceled: false,
      jobProcessDetails: { numberOfCanceledThings: 2, numberOfInProgressThings: 1 },
    });
    await expectAwsError(control.send(new CancelJobCommand({ jobId: 'cp-job-1' })), 'InvalidStateTransitionException', 409);
    await control.send(new CancelJobCommand({ jobId: 'cp-job-1', force: true }));
    const after = await control.send(new DescribeJobExecutionCommand({ jobId: 'cp-job-1', thingName: 'cp-2' }));
    expect(after.execution).toMatchObject({ status: 'CANCELED', forceCanceled: true });
    await expectAwsError(control.send(new CancelJobCommand({ jobId: 'cp-short' })), 'InvalidStateTransitionException', 409);
  });

  it('deletes an IN_PROGRESS job only with force, and then forgets it and its executions', async () => {
    await control.send(new CreateJobCommand({ jobId: 'cp-delete', targets: [arn('thing', 'cp-4')], document }));
    await expectAwsError(control.send(new DeleteJobCommand({ jobId: 'cp-delete' })), 'InvalidStateTransitionException', 409);
    await control.send(new DeleteJobCommand({ jobId: 'cp-delete', force: true }));
    await expectAwsError(control.send(new DescribeJobCommand({ jobId: 'cp-delete' })), 'ResourceNotFoundException', 404);
    const forThing = await control.send(new ListJobExecutionsForThingCommand({ thingName: 'cp-4' }));
    expect(forThing.executionSummaries?.map((s) => s.jobId)).toEqual(['cp-short']);
    await control.send(new DeleteJobCommand({ jobId: 'cp-short' }));
  });
});

describe('continuous jobs', () => {
  it('queue an execution for a thing added to the group later, and remove the pending one of a thing that leaves', async () => {
    await control.send(new CreateThingGroupCommand({ thingGroupName: 'cp-continuous' }));
    await control.send(
      new CreateJobCommand({ jobId: 'cp-cont', targets: [arn('thinggroup', 'cp-continuous')], document, targetSelection: 'CONTINUOUS' }),
    );
    expect((await control.send(new DescribeJobCommand({ jobId: 'cp-cont' }))).job?.status).toBe('IN_PROGRESS');
    await control.send(new AddThingToThingGroupCommand({ thingGroupName: 'cp-continuous', thingName: 'cp-3' }));
    expect((await control.send(new DescribeJobExecutionCommand({ jobId: 'cp-cont', thingName: 'cp-3' }))).execution?.status).toBe('QUEUED');
    await control.send(new RemoveThingFromThingGroupCommand({ thingGroupName: 'cp-continuous', thingName: 'cp-3' }));
    expect((await control.send(new DescribeJobExecutionCommand({ jobId: 'cp-cont', thingName: 'cp-3' }))).execution?.status).toBe(
      'REMOVED',
    );
    await control.send(new AddThingToThingGroupCommand({ thingGroupName: 'cp-continuous', thingName: 'cp-3' }));
    expect((await control.send(new DescribeJobExecutionCommand({ jobId: 'cp-cont', thingName: 'cp-3' }))).execution).toMatchObject({
      status: 'QUEUED',
      executionNumber: 2,
    });
  });
});

describe('abort and retry configurations', () => {
  it('retries a FAILED execution as a new execution, then aborts the job when failures cross the threshold', async () => {
    await control.send(
      new CreateJobCommand({
        jobId: 'cp-abort',
        targets: [arn('thing', 'cp-1'), arn('thing', 'cp-2'), arn('thing', 'cp-4')],
        document,
        jobExecutionsRetryConfig: { criteriaList: [{ failureType: 'FAILED', numberOfRetries: 1 }] },
        abortConfig: { criteriaList: [{ failureType: 'FAILED', action: 'CANCEL', thresholdPercentage: 50, minNumberOfExecutedThings: 1 }] },
      }),
    );
    await report('cp-1', 'cp-abort', 'FAILED');
    // Retried: a new QUEUED execution, and the job still runs.
    const retried = await control.send(new DescribeJobExecutionCommand({ jobId: 'cp-abort', thingName: 'cp-1' }));
    expect(retried.execution).toMatchObject({ status: 'QUEUED', executionNumber: 2 });
    expect((await control.send(new DescribeJobCommand({ jobId: 'cp-abort' }))).job?.status).toBe('IN_PROGRESS');
    await start('cp-4');
    await report('cp-1', 'cp-abort', 'FAILED');
    // No retry left: 1 of 1 executed things failed (≥ 50 %): the job is canceled, QUEUED executions too, IN_PROGRESS ones run on.
    const { job } = await control.send(new DescribeJobCommand({ jobId: 'cp-abort' }));
    expect(job).toMatchObject({
      status: 'CANCELED',
      jobProcessDetails: { numberOfFailedThings: 1, numberOfCanceledThings: 1, numberOfInProgressThings: 1 },
    });
    const history = await control.send(new ListJobExecutionsForThingCommand({ thingName: 'cp-1', jobId: 'cp-abort' }));
    expect(
      history.executionSummaries?.map((s) => [
        s.jobExecutionSummary?.executionNumber,
        s.jobExecutionSummary?.status,
        s.jobExecutionSummary?.retryAttempt,
      ]),
    ).toEqual([
      [1, 'FAILED', 0],
      [2, 'FAILED', 1],
    ]);
  });
});
