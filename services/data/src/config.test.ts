import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

const valid = {
  AWS_REGION: 'us-east-1',
  PORT: '3003',
  DEVICES_TABLE: 'fleet-devices',
  LATEST_TABLE: 'fleet-latest',
  TELEMETRY_TABLE: 'fleet-telemetry',
  BUCKET_NAME: 'fleet-telemetry',
  INGEST_QUEUE_URL: 'http://localhost:4566/000000000000/fleet-ingest',
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
      }),
    });
  });

  it('reports every problem at once', () => {
    const result = loadConfig({ ...valid, PORT: undefined, BUCKET_NAME: '', INGEST_RECEIVERS: '0', INGEST_QUEUE_URL: 'fleet-ingest' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual(
      expect.arrayContaining([
        'PORT is required',
        'BUCKET_NAME is required',
        expect.stringMatching(/^INGEST_RECEIVERS must be an integer from 1 to 32/),
        expect.stringMatching(/^INGEST_QUEUE_URL must be an http\(s\) URL/),
      ]),
    );
    expect(result.problems).toHaveLength(4);
  });
});
