/**
 * Test fixture of the IoT stand-in (its own tests and the API Service's integration tests): a
 * stand-in on ephemeral ports in a temporary data folder, the local AWS endpoint in front of it,
 * SDK clients, and a helper that provisions a device the way the API service does (CreateThing,
 * CreateKeysAndCertificate, AttachPolicy, AttachThingPrincipal), or from a CSR with a chosen
 * common name (CreateCertificateFromCsr).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateCertificateFromCsrCommand,
  CreateKeysAndCertificateCommand,
  CreatePolicyCommand,
  CreateThingCommand,
  IoTClient,
} from '@aws-sdk/client-iot';
import { IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane';
import { IoTJobsDataPlaneClient } from '@aws-sdk/client-iot-jobs-data-plane';
import { browserPolicyDocument, browserPolicyName, devicePolicyDocument, devicePolicyName } from '@fleet/core';
import { createAwsEndpoint } from '../aws-endpoint/index.ts';
import { opensslCsr } from './openssl-csr.ts';
import { createIotStandIn, type BrokerMessage, type IotStandIn, type IotStandInOptions } from '../iot/index.ts';

export const region = 'us-east-1';
export const accountId = '000000000000';
const credentials = { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' };

export interface Fixture {
  readonly dataDir: string;
  readonly iot: IotStandIn;
  /** Every message the broker accepted (the fixture's own listener, attached before it listens). */
  readonly messages: BrokerMessage[];
  readonly endpointUrl: string;
  readonly control: IoTClient;
  readonly data: IoTDataPlaneClient;
  /** The IoT Jobs data plane (`iot-jobs-data`). */
  readonly jobsData: IoTJobsDataPlaneClient;
  /** Restarts the stand-in on the same data folder (new ports). */
  restart(): Promise<Fixture>;
  close(): Promise<void>;
}

export interface Device {
  readonly thingName: string;
  readonly certificateArn: string;
  readonly certificateId: string;
  readonly certificatePem: string;
  readonly privateKeyPem: string;
}

export async function startFixture(overrides: Partial<IotStandInOptions> = {}, dataDir?: string): Promise<Fixture> {
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), 'iot-stand-in-')));
  const iot = await createIotStandIn({
    dataDir: dir,
    region,
    accountId,
    host: '127.0.0.1',
    mqttPort: 0,
    wsPort: 0,
    resolveCredentials: () => undefined,
    ...overrides,
  });
  const messages: BrokerMessage[] = [];
  iot.onMessage((m) => void messages.push(m));
  await iot.listen();
  const server = createAwsEndpoint({
    handlers: { iot: iot.controlHandler, iotdata: iot.dataHandler, 'iot-jobs-data': iot.jobsDataHandler },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpointUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientConfig = { region, endpoint: endpointUrl, credentials, maxAttempts: 1 };
  const control = new IoTClient(clientConfig);
  const data = new IoTDataPlaneClient(clientConfig);
  const jobsData = new IoTJobsDataPlaneClient(clientConfig);
  const stop = async () => {
    control.destroy();
    data.destroy();
    jobsData.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await iot.close();
  };
  return {
    dataDir: dir,
    iot,
    messages,
    endpointUrl,
    control,
    data,
    jobsData,
    async restart() {
      await stop();
      return startFixture(overrides, dir);
    },
    async close() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Creates the shared device and browser policies once. */
export async function createFleetPolicies(control: IoTClient): Promise<void> {
  await control.send(
    new CreatePolicyCommand({ policyName: devicePolicyName, policyDocument: JSON.stringify(devicePolicyDocument(region, accountId)) }),
  );
  await control.send(
    new CreatePolicyCommand({ policyName: browserPolicyName, policyDocument: JSON.stringify(browserPolicyDocument(region, accountId)) }),
  );
}

/** Provisions a device as the API service will: thing, active certificate, device policy, attachment. */
export async function provisionDevice(control: IoTClient, thingName: string): Promise<Device> {
  await control.send(new CreateThingCommand({ thingName }));
  const keys = await control.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
  const certificateArn = keys.certificateArn as string;
  await control.send(new AttachPolicyCommand({ policyName: devicePolicyName, target: certificateArn }));
  await control.send(new AttachThingPrincipalCommand({ thingName, principal: certificateArn }));
  return {
    thingName,
    certificateArn,
    certificateId: keys.certificateId as string,
    certificatePem: keys.certificatePem as string,
    privateKeyPem: keys.keyPair?.PrivateKey as string,
  };
}

/**
 * Provisions a device whose certificate is signed from its own CSR (CreateCertificateFromCsr), the
 * subject's common name `commonName`: the device id for an honest request, the only kind of
 * certificate Fleet's device policy lets publish over HTTPS.
 */
export async function provisionDeviceFromCsr(control: IoTClient, thingName: string, commonName = thingName): Promise<Device> {
  await control.send(new CreateThingCommand({ thingName }));
  const request = await opensslCsr(`/CN=${commonName}`, 'ec');
  await rm(request.dir, { recursive: true, force: true });
  const created = await control.send(new CreateCertificateFromCsrCommand({ certificateSigningRequest: request.csrPem, setAsActive: true }));
  const certificateArn = created.certificateArn as string;
  await control.send(new AttachPolicyCommand({ policyName: devicePolicyName, target: certificateArn }));
  await control.send(new AttachThingPrincipalCommand({ thingName, principal: certificateArn }));
  return {
    thingName,
    certificateArn,
    certificateId: created.certificateId as string,
    certificatePem: created.certificatePem as string,
    privateKeyPem: request.privateKeyPem,
  };
}
