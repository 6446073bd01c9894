/**
 * AWS's own device SDK (aws-iot-device-sdk-v2: the aws-crt MQTT client and its generated shadow and
 * jobs clients) against the IoT stand-in, unchanged: what "any AWS IoT device SDK works" means. A
 * device with the fleet's device policy follows a desired change made over HTTP, reports, and runs
 * a job from notification to SUCCEEDED, as the SDK's own samples do.
 */
import { CreateJobCommand, DescribeJobExecutionCommand } from '@aws-sdk/client-iot';
import { GetThingShadowCommand, UpdateThingShadowCommand } from '@aws-sdk/client-iot-data-plane';
import { iot, iotjobs, iotshadow, mqtt } from 'aws-iot-device-sdk-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accountId,
  createFleetPolicies,
  provisionDevice,
  region,
  startFixture,
  type Device,
  type Fixture,
} from '../testing/iot-fixture.ts';

let fixture: Fixture;
let device: Device;
let connection: mqtt.MqttClientConnection;
const thingName = 'sdk-v2';

/** The first message a subscription delivers (the SDK calls back with an error or a parsed document). */
function first<T>(subscribe: (handler: (error: unknown, response?: T) => void) => Promise<unknown>): {
  subscribed: Promise<unknown>;
  message: Promise<T>;
} {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const message = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  const subscribed = subscribe((error, response) => (error ? reject(error) : resolve(response as T)));
  return { subscribed, message };
}

beforeAll(async () => {
  fixture = await startFixture();
  await createFleetPolicies(fixture.control);
  device = await provisionDevice(fixture.control, thingName);
  const config = iot.AwsIotMqttConnectionConfigBuilder.new_mtls_builder(device.certificatePem, device.privateKeyPem)
    .with_certificate_authority(fixture.iot.caCertificatePem)
    .with_client_id(thingName)
    .with_clean_session(true)
    .with_endpoint('127.0.0.1')
    .with_port(fixture.iot.mqttPort)
    .build();
  connection = new mqtt.MqttClient().new_connection(config);
  await connection.connect();
});
afterAll(async () => {
  await connection?.disconnect();
  await fixture?.close();
});

describe('aws-iot-device-sdk-v2 as the device', () => {
  it('IotShadowClient gets the delta of a desired change made over HTTP, reports it, and reads the shadow back', async () => {
    const shadow = new iotshadow.IotShadowClient(connection);
    const delta = first<iotshadow.model.ShadowDeltaUpdatedEvent>((h) =>
      shadow.subscribeToShadowDeltaUpdatedEvents({ thingName }, mqtt.QoS.AtLeastOnce, h),
    );
    await delta.subscribed;
    const payload = Buffer.from(JSON.stringify({ state: { desired: { reportIntervalSeconds: 5 } } }));
    await fixture.data.send(new UpdateThingShadowCommand({ thingName, payload }));
    expect(await delta.message).toMatchObject({ state: { reportIntervalSeconds: 5 }, version: 1 });

    const updated = first<iotshadow.model.UpdateShadowResponse>((h) =>
      shadow.subscribeToUpdateShadowAccepted({ thingName }, mqtt.QoS.AtLeastOnce, h),
    );
    await updated.subscribed;
    await shadow.publishUpdateShadow(
      { thingName, state: { reported: { reportIntervalSeconds: 5 } }, clientToken: 'sdk-1' },
      mqtt.QoS.AtLeastOnce,
    );
    expect(await updated.message).toMatchObject({ clientToken: 'sdk-1', version: 2, state: { reported: { reportIntervalSeconds: 5 } } });

    const got = first<iotshadow.model.GetShadowResponse>((h) =>
      shadow.subscribeToGetShadowAccepted({ thingName }, mqtt.QoS.AtLeastOnce, h),
    );
    await got.subscribed;
    await shadow.publishGetShadow({ thingName }, mqtt.QoS.AtLeastOnce);
    const document = await got.message;
    expect(document.state?.desired).toEqual({ reportIntervalSeconds: 5 });
    expect(document.state?.reported).toEqual({ reportIntervalSeconds: 5 });
    expect(document.state?.delta).toBeUndefined();
    const stored = JSON.parse(Buffer.from((await fixture.data.send(new GetThingShadowCommand({ thingName }))).payload ?? []).toString());
    expect(stored).toMatchObject({ version: 2 });
  });

  it('IotJobsClient is told of a new job, starts it and reports SUCCEEDED with its status details', async () => {
    const jobs = new iotjobs.IotJobsClient(connection);
    const next = first<iotjobs.model.NextJobExecutionChangedEvent>((h) =>
      jobs.subscribeToNextJobExecutionChangedEvents({ thingName }, mqtt.QoS.AtLeastOnce, h),
    );
    await next.subscribed;
    const thingArn = `arn:aws:iot:${region}:${accountId}:thing/${thingName}`;
    await fixture.control.send(new CreateJobCommand({ jobId: 'sdk-job-1', targets: [thingArn], document: '{"command":"ping","args":{}}' }));
    expect((await next.message).execution).toMatchObject({ jobId: 'sdk-job-1', status: 'QUEUED' });

    const started = first<iotjobs.model.StartNextJobExecutionResponse>((h) =>
      jobs.subscribeToStartNextPendingJobExecutionAccepted({ thingName }, mqtt.QoS.AtLeastOnce, h),
    );
    await started.subscribed;
    await jobs.publishStartNextPendingJobExecution({ thingName }, mqtt.QoS.AtLeastOnce);
    const execution = (await started.message).execution;
    expect(execution).toMatchObject({ jobId: 'sdk-job-1', status: 'IN_PROGRESS', jobDocument: { command: 'ping', args: {} } });

    const updated = first<iotjobs.model.UpdateJobExecutionResponse>((h) =>
      jobs.subscribeToUpdateJobExecutionAccepted({ thingName, jobId: 'sdk-job-1' }, mqtt.QoS.AtLeastOnce, h),
    );
    await updated.subscribed;
    await jobs.publishUpdateJobExecution(
      {
        thingName,
        jobId: 'sdk-job-1',
        status: iotjobs.model.JobStatus.SUCCEEDED,
        statusDetails: { pong: 'sdk' },
        expectedVersion: execution?.versionNumber,
      },
      mqtt.QoS.AtLeastOnce,
    );
    await updated.message;
    const described = await fixture.control.send(new DescribeJobExecutionCommand({ jobId: 'sdk-job-1', thingName }));
    expect(described.execution).toMatchObject({ status: 'SUCCEEDED', statusDetails: { detailsMap: { pong: 'sdk' } } });
  });
});
