import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

const valid = {
  AWS_REGION: 'us-east-1',
  PORT: '3003',
  LATEST_TABLE: 'fleet-latest',
  TELEMETRY_TABLE: 'fleet-telemetry',
  BUCKET_NAME: 'fleet-telemetry',
  INGEST_QUEUE_URL: 'http://localhost:4566/000000000000/fleet-ingest',
  USER_POOL_ID: 'us-east-1_AbC123',
  USER_POOL_CLIENT_ID: 'client',
  INGEST_DLQ_URL: 'http://localhost:4566/000000000000/fleet-ingest-dlq',
};

describe('configuration', () => {
  it('reads the service environment with defaults for tuning', () => {
    const result = loadConfig(valid);
    expect(result).toEqual({
      ok: true,
      config: expect.objectContaining({
        port: 3003,
        telemetryTable: 'fleet-telemetry',
        ingestDeadLetterQueueUrl: 'http://localhost:4566/000000000000/fleet-ingest-dlq',
        receivers: 4,
        metricsFlushMs: 10_000,
        logLevel: 'info',
        userPoolId: 'us-east-1_AbC123',
        jwksUrl: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123/.well-known/jwks.json',
      }),
    });
    // Locally the JWKS is where every other AWS API is.
    expect(loadConfig({ ...valid, AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' })).toMatchObject({
      config: { jwksUrl: 'http://127.0.0.1:4566/us-east-1_AbC123/.well-known/jwks.json' },
    });
  });

  it('reports every problem at once', () => {
    const result = loadConfig({
      ...valid,
      PORT: undefined,
      BUCKET_NAME: '',
      INGEST_RECEIVERS: '0',
      INGEST_QUEUE_URL: 'fleet-ingest',
      USER_POOL_ID: undefined,
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual(
      expect.arrayContaining([
        'PORT is required',
        'BUCKET_NAME is required',
        expect.stringMatching(/^INGEST_RECEIVERS must be an integer from 1 to 32/),
        expect.stringMatching(/^INGEST_QUEUE_URL must be an http\(s\) URL/),
        'USER_POOL_ID is required',
      ]),
    );
    expect(result.problems).toHaveLength(5);
  });
});
