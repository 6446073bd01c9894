/**
 * IoT Jobs with MQTT clients written elsewhere (Debian's mosquitto_sub / mosquitto_pub): a device
 * hears of its jobs on `notify`, starts the next one and completes it from a shell, and the
 * control plane shows the execution SUCCEEDED.
 */
import { execFile, spawn } from 'node:child_process';
import { CreateJobCommand, DescribeJobCommand, DescribeJobExecutionCommand } from '@aws-sdk/client-iot';
import { jobsTopics, topics } from '@fleet/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accountId,
  region,
  createFleetPolicies,
  provisionDevice,
  startFixture,
  type Device,
  type Fixture,
} from '../../testing/iot-fixture.ts';
import { eventually } from '../../testing/mqtt-test-client.ts';
import { mosquittoDevice, mosquittoInstalled, type MosquittoDevice } from '../../testing/mosquitto-device.ts';

if (!mosquittoInstalled)
  console.warn('jobs-mosquitto-interop: mosquitto_pub or mosquitto_sub missing; install mosquitto-clients. Skipping.');

let fixture: Fixture;
let mosquitto: MosquittoDevice;
let device: Device;
const thingName = 'mosq-jobs';

beforeAll(async () => {
  fixture = await startFixture();
  await createFleetPolicies(fixture.control);
  device = await provisionDevice(fixture.control, thingName);
  mosquitto = await mosquittoDevice(fixture, device);
});
afterAll(async () => {
  await fixture.close();
  await mosquitto.remove();
});

const tlsArgs = () => mosquitto.tlsArgs();

function publish(topic: string, message: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile('/usr/bin/mosquitto_pub', [...tlsArgs(), '-q', '1', '-t', topic, '-m', message], { timeout: 10_000 }, (err, _stdout, stderr) =>
      resolve({ code: err ? 1 : 0, stderr }),
    );
  });
}

const createJob = (jobId: string) =>
  fixture.control.send(
    new CreateJobCommand({
      jobId,
      targets: [`arn:aws:iot:${region}:${accountId}:thing/${thingName}`],
      document: JSON.stringify({ operation: 'reboot' }),
    }),
  );

describe.skipIf(!mosquittoInstalled)('IoT Jobs with mosquitto clients', () => {
  it('mosquitto_sub hears of pending jobs on notify; mosquitto_pub starts and completes one, and the control plane shows it', async () => {
    const sub = spawn('/usr/bin/mosquitto_sub', [...tlsArgs(), '-t', jobsTopics.notify(thingName), '-q', '1', '-C', '1', '-W', '10']);
    let stdout = '';
    sub.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => sub.on('exit', resolve));
    let code: number | null | undefined;
    void exited.then((c) => (code = c));
    await eventually(
      () => fixture.messages.some((m) => m.topic === topics.presenceConnected(thingName)),
      5_000,
      'mosquitto_sub connection',
    );
    // The SUBSCRIBE follows the CONNACK: each new job changes the pending list until the one-message subscriber heard of one.
    const jobs: string[] = [];
    for (let i = 0; i < 50 && code === undefined; i++) {
      jobs.push(`mosq-job-${i}`);
      await createJob(`mosq-job-${i}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await exited).toBe(0);
    const notification = JSON.parse(stdout.trim()) as { jobs: { QUEUED?: { jobId: string }[] } };
    expect(notification.jobs.QUEUED?.[0]?.jobId).toBe('mosq-job-0');

    // mosquitto_pub took the client id over from mosquitto_sub, which is gone: the devices' usual one connection.
    expect(await publish(jobsTopics.startNext(thingName), '{"statusDetails":{"by":"mosquitto"}}')).toEqual({ code: 0, stderr: '' });
    const started = await fixture.control.send(new DescribeJobExecutionCommand({ jobId: 'mosq-job-0', thingName }));
    expect(started.execution).toMatchObject({ status: 'IN_PROGRESS', statusDetails: { detailsMap: { by: 'mosquitto' } } });
    expect(await publish(jobsTopics.update(thingName, 'mosq-job-0'), '{"status":"SUCCEEDED","expectedVersion":2}')).toEqual({
      code: 0,
      stderr: '',
    });
    // The PUBACK came once the update was durable: the control plane shows it at once.
    const done = await fixture.control.send(new DescribeJobExecutionCommand({ jobId: 'mosq-job-0', thingName }));
    expect(done.execution).toMatchObject({ status: 'SUCCEEDED', versionNumber: 3 });
    const { job } = await fixture.control.send(new DescribeJobCommand({ jobId: 'mosq-job-0' }));
    expect(job).toMatchObject({ status: 'COMPLETED', jobProcessDetails: { numberOfSucceededThings: 1 } });
  });
});
