import { describe, expect, it } from 'vitest';
import { cognitoJwksUrl, parseConfig } from './config.ts';

const env = {
  AWS_REGION: 'us-east-1',
  PORT: '3002',
  DEVICES_TABLE: 'fleet-devices',
  LATEST_TABLE: 'fleet-latest',
  USER_POOL_ID: 'us-east-1_AbC123',
  USER_POOL_CLIENT_ID: 'client',
  IDENTITY_POOL_ID: 'us-east-1:abc',
  IOT_ENDPOINT: 'localhost',
  IOT_MQTT_PORT: '8883',
  IOT_CA_URL: 'http://localhost:4566/iot/ca.pem',
  DEVICE_POLICY_NAME: 'fleet-device',
  BROWSER_POLICY_NAME: 'fleet-browser-live',
  DATA_SERVICE_URL: 'http://127.0.0.1:3003/',
};

describe('parseConfig', () => {
  it('reads a complete environment, with operator as the default role', () => {
    const result = parseConfig(env);
    expect(result).toMatchObject({
      ok: true,
      config: {
        port: 3002,
        iotMqttPort: 8883,
        defaultRole: 'operator',
        dataServiceUrl: 'http://127.0.0.1:3003',
        jwksUrl: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123/.well-known/jwks.json',
      },
    });
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
      'DEFAULT_ROLE must be one of admin, operator, viewer, received "root"',
      'IOT_MQTT_PORT must be an integer between 1 and 65535, received "88830"',
    ]);
  });
});

describe('cognitoJwksUrl', () => {
  it('prefers the service-specific endpoint, then AWS_ENDPOINT_URL, then the public regional endpoint', () => {
    const pool = 'us-east-1_X';
    expect(
      cognitoJwksUrl({ AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: 'http://a:1/', AWS_ENDPOINT_URL: 'http://b:2' }, 'us-east-1', pool),
    ).toBe('http://a:1/us-east-1_X/.well-known/jwks.json');
    expect(cognitoJwksUrl({ AWS_ENDPOINT_URL: 'http://localhost:4566' }, 'us-east-1', pool)).toBe(
      'http://localhost:4566/us-east-1_X/.well-known/jwks.json',
    );
    expect(cognitoJwksUrl({}, 'eu-west-1', pool)).toBe('https://cognito-idp.eu-west-1.amazonaws.com/us-east-1_X/.well-known/jwks.json');
  });
});
