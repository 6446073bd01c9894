import { describe, expect, it } from 'vitest';
import { parseConfig } from './config.ts';

const env = {
  AWS_REGION: 'us-east-1',
  PORT: '3002',
  DEVICES_TABLE: 'fleet-devices',
  USER_POOL_ID: 'us-east-1_AbC123',
  USER_POOL_CLIENT_ID: 'client',
  IDENTITY_POOL_ID: 'us-east-1:abc',
  IOT_ENDPOINT: 'localhost',
  IOT_MQTT_PORT: '8883',
  IOT_CA_URL: 'http://localhost:4566/iot/ca.pem',
  DEVICE_POLICY_NAME: 'fleet-device',
  BROWSER_POLICY_NAME: 'fleet-browser-live',
  DATA_SERVICE_URL: 'http://127.0.0.1:3003/',
  PLATFORM_STATE_TABLE: 'fleet-platform-state',
};

describe('parseConfig', () => {
  it('reads a complete environment', () => {
    const result = parseConfig(env);
    expect(result).toMatchObject({
      ok: true,
      config: {
        port: 3002,
        iotMqttPort: 8883,
        platformStateTable: 'fleet-platform-state',
        dataServiceUrl: 'http://127.0.0.1:3003',
        jwksUrl: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123/.well-known/jwks.json',
      },
    });
  });

  it('accepts DEFAULT_ROLE=viewer, the only role a user in no group can have', () => {
    expect(parseConfig({ ...env, DEFAULT_ROLE: 'viewer' }).ok).toBe(true);
    expect(parseConfig({ ...env, DEFAULT_ROLE: 'operator' }).ok).toBe(false);
  });

  it('reports every problem at once', () => {
    const result = parseConfig({
      ...env,
      PORT: 'eighty',
      DEVICES_TABLE: '',
      USER_POOL_ID: 'pool',
      DEFAULT_ROLE: 'root',
      IOT_ENDPOINT: undefined,
      IOT_MQTT_PORT: '88830',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      'DEVICES_TABLE is missing or empty',
      'IOT_ENDPOINT is missing or empty',
      'PORT must be an integer between 0 and 65535, received "eighty"',
      'USER_POOL_ID must look like "<region>_<id>" (e.g. us-east-1_AbC123), received "pool"',
      'DEFAULT_ROLE is no longer supported, received "root": a user in no group is a viewer; admins grant roles (PUT /api/users/<username>/role)',
      'IOT_MQTT_PORT must be an integer between 1 and 65535, received "88830"',
    ]);
  });
});
