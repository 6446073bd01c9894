/**
 * The device side of IoT Jobs over MQTT with mqtt.js as the device: notifications, the request
 * topics with their accepted/rejected replies (sent to the requester only), AWS's error codes, and
 * a device that was offline (also across a restart of the stand-in) getting its executions.
 */
import {
  AttachPolicyCommand,
  CancelJobCommand,
  CreateJobCommand,
  DeleteJobCommand,
  CreateKeysAndCertificateCommand,
  CreatePolicyCommand,
  DescribeJobCommand,
} from '@aws-sdk/client-iot';
import { jobsTopics } from '@fleet/core';
import type { MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  accountId,
  region,
  createFleetPolicies,
  provisionDevice,
  startFixture,
  type Device,
  type Fixture,
} from '../../testing/iot-fixture.ts';
import { connectTls, eventually, subscribeGranted } from '../../testing/mqtt-test-client.ts';
import { connectJobsClient, type JobsTestClient } from '../../testing/jobs-test-device.ts';

let fixture: Fixture;
const devices = new Map<string, Device>();
const open: MqttClient[] = [];
const arn = (kind: string, name: string) => `arn:aws:iot:${region}:${accountId}:${kind}/${name}`;

beforeAll(async () => {
  fixture = await startFixture();
  await createFleetPolicies(fixture.control);
  for (const name of ['mq-1', 'mq-2', 'mq-3', 'mq-4']) devices.set(name, await provisionDevice(fixture.control, name));
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.endAsync(true)));
});
afterAll(async () => {
  await fixture.close();
});

async function connect(name: string): Promise<JobsTestClient> {
  const client = await connectJobsClient(fixture, devices.get(name) as Device);
  open.push(client.mqtt);
  return client;
}

const createJob = (jobId: string, thingName: string, document: unknown = { operation: 'reboot' }) =>
  fixture.control.send(new CreateJobCommand({ jobId, targets: [arn('thing', thingName)], document: JSON.stringify(document) }));

describe('a connected device', () => {
  it('is told of a new job, starts it, completes it, and DescribeJob counts it', async () => {
    const device = await connect('mq-1');
    expect(await subscribeGranted(device.mqtt, jobsTopics.notifyNext('mq-1'))).toEqual([1]);
    expect(await subscribeGranted(device.mqtt, jobsTopics.notify('mq-1'))).toEqual([1]);
    await createJob('mq-job-1', 'mq-1', { operation: 'set-interval', seconds: 30 });
    const notified = await device.next(jobsTopics.notifyNext('mq-1'));
    expect(notified).toMatchObject({
      execution: {
        jobId: 'mq-job-1',
        status: 'QUEUED',
        versionNumber: 1,
        jobDocument: { operation: 'set-interval', seconds: 30 },
      },
    });
    expect(typeof notified.timestamp).toBe('number');
    expect(notified.execution).not.toHaveProperty('thingName');
    expect(await device.next(jobsTopics.notify('mq-1'))).toMatchObject({ jobs: { QUEUED: [{ jobId: 'mq-job-1', executionNumber: 1 }] } });

    const started = await device.request(jobsTopics.startNext('mq-1'), { clientToken: 'token-1', statusDetails: { step: 'apply' } });
    expect(started).toMatchObject({
      outcome: 'accepted',
      body: {
        clientToken: 'token-1',
        execution: { jobId: 'mq-job-1', status: 'IN_PROGRESS', versionNumber: 2, statusDetails: { step: 'apply' } },
      },
    });

    const from = device.received.length;
    const done = await device.request(jobsTopics.update('mq-1', 'mq-job-1'), {
      status: 'SUCCEEDED',
      expectedVersion: 2,
      includeJobExecutionState: true,
      clientToken: 'token-2',
    });
    expect(done).toMatchObject({
      outcome: 'accepted',
      body: { clientToken: 'token-2', executionState: { status: 'SUCCEEDED', versionNumber: 3 } },
    });
    // Nothing is pending any more: notify-next without an execution.
    expect(await device.next(jobsTopics.notifyNext('mq-1'), from)).not.toHaveProperty('execution');
    const { job } = await fixture.control.send(new DescribeJobCommand({ jobId: 'mq-job-1' }));
    expect(job).toMatchObject({ status: 'COMPLETED', jobProcessDetails: { numberOfSucceededThings: 1, numberOfInProgressThings: 0 } });
  });

  it("rejects with AWS's codes: illegal transition and version mismatch (with the state), bad JSON, unknown topic, unknown job", async () => {
    const device = await connect('mq-1');
    const again = await device.request(jobsTopics.update('mq-1', 'mq-job-1'), { status: 'IN_PROGRESS', clientToken: 'again' });
    expect(again).toMatchObject({
      outcome: 'rejected',
      body: { code: 'InvalidStateTransition', clientToken: 'again', executionState: { status: 'SUCCEEDED', versionNumber: 3 } },
    });
    await createJob('mq-job-2', 'mq-1');
    const stale = await device.request(jobsTopics.update('mq-1', 'mq-job-2'), { status: 'IN_PROGRESS', expectedVersion: 7 });
    expect(stale).toMatchObject({
      outcome: 'rejected',
      body: { code: 'VersionMismatch', executionState: { status: 'QUEUED', versionNumber: 1 } },
    });
    expect(await device.request(jobsTopics.get('mq-1'), '{not json')).toMatchObject({ outcome: 'rejected', body: { code: 'InvalidJson' } });
    expect(await device.request('$aws/things/mq-1/jobs/mq-job-2/whatever', {})).toMatchObject({
      outcome: 'rejected',
      body: { code: 'InvalidTopic' },
    });
    expect(await device.request(jobsTopics.describe('mq-1', 'no-such-job'), {})).toMatchObject({
      outcome: 'rejected',
      body: { code: 'ResourceNotFound' },
    });
    expect(await device.request(jobsTopics.describe('mq-1', 'mq-job-1'), {})).toMatchObject({
      outcome: 'rejected',
      body: { code: 'TerminalStateReached' },
    });
    const bad = await device.request(jobsTopics.update('mq-1', 'mq-job-2'), { status: 'IN_PROGRESS', statusDetails: { k: 7 } });
    expect(bad).toMatchObject({ outcome: 'rejected', body: { code: 'InvalidRequest' } });
  });

  it('gets the reply to its own request only: another client subscribed to the reply topic receives nothing', async () => {
    await fixture.control.send(
      new CreatePolicyCommand({
        policyName: 'observer',
        policyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iot:*', Resource: '*' }] }),
      }),
    );
    const keys = await fixture.control.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
    await fixture.control.send(new AttachPolicyCommand({ policyName: 'observer', target: keys.certificateArn }));
    const observer = await connectTls(
      fixture.iot.mqttPort,
      fixture.iot.caCertificatePem,
      { certificatePem: keys.certificatePem as string, privateKeyPem: keys.keyPair?.PrivateKey as string },
      'observer',
    );
    open.push(observer);
    const seen: string[] = [];
    observer.on('message', (topic) => seen.push(topic));
    expect(await subscribeGranted(observer, '$aws/things/mq-1/jobs/get/accepted')).toEqual([1]);
    const device = await connect('mq-1');
    const pending = await device.request(jobsTopics.get('mq-1'), { clientToken: 'mine' });
    expect(pending).toMatchObject({
      outcome: 'accepted',
      body: { clientToken: 'mine', inProgressJobs: [], queuedJobs: [{ jobId: 'mq-job-2' }] },
    });
    // The observer asks too: it gets its own reply, after the device's one would have reached it.
    await observer.publishAsync('$aws/things/mq-1/jobs/get', '{}', { qos: 1 });
    await eventually(() => seen.length > 0, 5_000, "the observer's reply");
    expect(seen).toEqual(['$aws/things/mq-1/jobs/get/accepted']);
  });
});

describe('notifications of operator changes', () => {
  it('tell the device when its next job is canceled or deleted', async () => {
    const device = await connect('mq-4');
    await subscribeGranted(device.mqtt, jobsTopics.notifyNext('mq-4'));
    await createJob('mq-cancel', 'mq-4');
    expect(await device.next(jobsTopics.notifyNext('mq-4'))).toMatchObject({ execution: { jobId: 'mq-cancel' } });
    let from = device.received.length;
    await fixture.control.send(new CancelJobCommand({ jobId: 'mq-cancel' }));
    expect(await device.next(jobsTopics.notifyNext('mq-4'), from)).not.toHaveProperty('execution');
    from = device.received.length;
    await createJob('mq-delete', 'mq-4');
    expect(await device.next(jobsTopics.notifyNext('mq-4'), from)).toMatchObject({ execution: { jobId: 'mq-delete' } });
    from = device.received.length;
    await fixture.control.send(new DeleteJobCommand({ jobId: 'mq-delete', force: true }));
    expect(await device.next(jobsTopics.notifyNext('mq-4'), from)).not.toHaveProperty('execution');
  });
});

describe('an offline device', () => {
  it('gets the executions created while it was offline when it connects and asks (with the document unless it says false)', async () => {
    await createJob('mq-offline', 'mq-2', { operation: 'reboot' });
    const device = await connect('mq-2');
    const next = await device.request(jobsTopics.describe('mq-2', '$next'), {});
    expect(next).toMatchObject({
      outcome: 'accepted',
      body: { execution: { jobId: 'mq-offline', status: 'QUEUED', jobDocument: { operation: 'reboot' } } },
    });
    const bare = await device.request(jobsTopics.describe('mq-2', 'mq-offline'), { includeJobDocument: false });
    expect(bare.body.execution).not.toHaveProperty('jobDocument');
    const started = await device.request(jobsTopics.startNext('mq-2'), {});
    expect(started).toMatchObject({ outcome: 'accepted', body: { execution: { jobId: 'mq-offline', status: 'IN_PROGRESS' } } });
  });

  it('gets them after a restart of the local cloud too, and completes them', async () => {
    await createJob('mq-restart', 'mq-3');
    fixture = await fixture.restart();
    const device = await connect('mq-3');
    const pending = await device.request(jobsTopics.get('mq-3'), {});
    expect(pending).toMatchObject({ outcome: 'accepted', body: { queuedJobs: [{ jobId: 'mq-restart', versionNumber: 1 }] } });
    await device.request(jobsTopics.startNext('mq-3'), {});
    const done = await device.request(jobsTopics.update('mq-3', 'mq-restart'), { status: 'SUCCEEDED' });
    expect(done.outcome).toBe('accepted');
    const { job } = await fixture.control.send(new DescribeJobCommand({ jobId: 'mq-restart' }));
    expect(job?.status).toBe('COMPLETED');
  });
});
