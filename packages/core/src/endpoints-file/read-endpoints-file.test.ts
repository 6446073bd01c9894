import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EndpointsFile, LocalEndpointsFile } from './endpoints-file-schema.ts';
import { readEndpointsFile, readLocalEndpointsFile, writeEndpointsFile } from './read-endpoints-file.ts';

const deployed: EndpointsFile = {
  region: 'eu-west-1',
  gatewayUrl: 'https://d111111abcdef8.cloudfront.net',
  userPoolId: 'eu-west-1_AbC123',
  userPoolClientId: 'client',
  identityPoolId: 'eu-west-1:11111111-2222-3333-4444-555555555555',
  mqttHost: 'abc123-ats.iot.eu-west-1.amazonaws.com',
  mqttPort: 8883,
  mqttWebSocketUrl: 'wss://abc123-ats.iot.eu-west-1.amazonaws.com/mqtt',
  iotHttpsPort: 8443,
};

const local: LocalEndpointsFile = {
  ...deployed,
  region: 'us-east-1',
  gatewayUrl: 'http://127.0.0.1:3000',
  mqttHost: '127.0.0.1',
  mqttWebSocketUrl: 'ws://127.0.0.1:8083/mqtt',
  caFile: '/data/ca/root-ca.pem',
  caUrl: 'http://127.0.0.1:4566/_fleet/ca.pem',
  credentialsFile: '/data/credentials.json',
  accountId: '000000000000',
  awsEndpoint: 'http://127.0.0.1:4566',
  mqttUrl: 'mqtts://127.0.0.1:8883',
  queueUrls: { ingest: 'http://127.0.0.1:4566/000000000000/fleet-ingest' },
  bucket: 'fleet-telemetry',
  tables: { devices: 'fleet-devices' },
  devicePolicyName: 'fleet-device',
  browserPolicyName: 'fleet-browser-live',
  services: { frontend: { url: 'http://127.0.0.1:3001', pid: 4242 }, data: { url: 'http://127.0.0.1:3003' } },
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fleet-endpoints-'));
});

async function fileWith(name: string, content: unknown): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

describe('the endpoints file', () => {
  it("reads a deployed stack's file: the local cloud's fields are optional", async () => {
    expect(await readEndpointsFile(await fileWith('deployed.json', deployed))).toEqual(deployed);
  });

  it("reads the local cloud's file with every field, and ignores fields it does not know", async () => {
    const file = await fileWith('local.json', { ...local, addedLater: true });
    expect(await readLocalEndpointsFile(file)).toMatchObject(local);
    expect(await readEndpointsFile(file)).toMatchObject(local);
  });

  it('names the file and each bad field with what it holds', async () => {
    const file = await fileWith('bad.json', { ...deployed, region: undefined, mqttPort: '8883', services: { data: { url: 'lb3' } } });
    const error = await readEndpointsFile(file).then(
      () => new Error('the bad file was read'),
      (err: unknown) => err as Error,
    );
    expect(error.message).toContain(`${file} is not a Fleet endpoints file:`);
    expect(error.message).toContain('field "region" is missing');
    expect(error.message).toContain('field "mqttPort" is "8883": must be integer');
    expect(error.message).toContain('field "services.data.url" is "lb3": must be a http(s) URL');
  });

  it("refuses a deployed stack's file where the local cloud's is expected, naming what it lacks", async () => {
    const file = await fileWith('not-local.json', deployed);
    await expect(readLocalEndpointsFile(file)).rejects.toThrow(/field "caFile" is missing.*field "credentialsFile" is missing/);
  });

  it('says how to get a file when there is none, and when it is not JSON', async () => {
    const missing = join(dir, 'nope.json');
    await expect(readEndpointsFile(missing)).rejects.toThrow(`cannot read the endpoints file ${missing} (ENOENT): npm start writes it`);
    await expect(readEndpointsFile(await fileWith('truncated.json', '{"region":'))).rejects.toThrow(/truncated\.json is not JSON/);
  });

  it('writes what it reads back, creating the folder, and refuses to write a bad file', async () => {
    const file = join(dir, 'aws', 'endpoints.json');
    await writeEndpointsFile(file, local);
    expect(await readLocalEndpointsFile(file)).toEqual(local);
    // A service not started yet (or --cloud-only) has no pid: the key is left out.
    const noPid = { ...local, services: { api: { url: 'http://127.0.0.1:3002', pid: undefined } } };
    await writeEndpointsFile(file, noPid);
    expect((await readLocalEndpointsFile(file)).services).toEqual({ api: { url: 'http://127.0.0.1:3002' } });
    expect((await readFile(file, 'utf8')).endsWith('}\n')).toBe(true);
    await expect(writeEndpointsFile(join(dir, 'never.json'), { ...deployed, mqttPort: 0 })).rejects.toThrow(
      /never\.json is not a Fleet endpoints file: field "mqttPort" is 0/,
    );
  });
});
