import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readEndpointsFile, writeEndpointsFile } from '@fleet/core/endpoints-file';
import { describe, expect, it } from 'vitest';
import { endpointsFromOutputs } from './deployed-endpoints.ts';

const outputs = {
  'fleet-stateful': {
    UserPoolId: 'eu-west-1_abc',
    UserPoolClientId: 'client1',
    IdentityPoolId: 'eu-west-1:uuid',
    TelemetryBucketArn: 'arn:aws:s3:::b',
  },
  'fleet-platform': { Region: 'eu-west-1', PublicUrl: 'https://d111.cloudfront.net', IotEndpoint: 'abc-ats.iot.eu-west-1.amazonaws.com' },
};

describe('endpointsFromOutputs', () => {
  it('maps stack outputs to the endpoints file the simulator reads', () => {
    expect(endpointsFromOutputs(outputs, 'fleet', '/tmp/ca.pem')).toEqual({
      region: 'eu-west-1',
      gatewayUrl: 'https://d111.cloudfront.net',
      userPoolId: 'eu-west-1_abc',
      userPoolClientId: 'client1',
      identityPoolId: 'eu-west-1:uuid',
      mqttHost: 'abc-ats.iot.eu-west-1.amazonaws.com',
      mqttPort: 8883,
      mqttWebSocketUrl: 'wss://abc-ats.iot.eu-west-1.amazonaws.com/mqtt',
      iotHttpsPort: 8443,
      caFile: '/tmp/ca.pem',
    });
  });

  it("writes a file that core's endpoints-file reader accepts, as the simulator and e2e read it", async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'fleet-aws-')), 'endpoints.json');
    const endpoints = endpointsFromOutputs(outputs, 'fleet', '/tmp/ca.pem');
    await writeEndpointsFile(file, endpoints);
    expect(await readEndpointsFile(file)).toEqual(endpoints);
  });

  it('names the stacks it expected when the prefix does not match', () => {
    expect(() => endpointsFromOutputs(outputs, 'other', 'ca.pem')).toThrow(
      /other-stateful and other-platform \(have: fleet-stateful, fleet-platform\)/,
    );
  });

  it('names a missing output', () => {
    expect(() => endpointsFromOutputs({ ...outputs, 'fleet-platform': { Region: 'eu-west-1' } }, 'fleet', 'ca.pem')).toThrow(
      /lack "IotEndpoint"/,
    );
  });
});
