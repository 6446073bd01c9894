import type { Reading } from '@fleet/core';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { ArchiveWriter } from './archive-writer.ts';
import { createMetrics } from './emf.ts';
import type { LatestStore } from './latest-store.ts';
import { createReadingWriter, refusedAsInvalid, type AcceptedReading } from './reading-writes.ts';
import { ReadingPastRetention } from './retention/raw-retention.ts';
import type { TelemetryStore } from './telemetry-store.ts';

/** An SDK-shaped service error. */
const awsError = (name: string, status: number, fault: 'client' | 'server' = status < 500 ? 'client' : 'server') =>
  Object.assign(new Error(`${name} (${status})`), { name, $fault: fault, $metadata: { httpStatusCode: status } });

const accepted = (deviceId: string, seq: number): AcceptedReading => ({
  queued: { messageId: `q-${deviceId}-${seq}`, receiptHandle: `h-${deviceId}-${seq}`, body: '', receiveCount: 1 },
  body: { kind: 'telemetry', payload: '', deviceId, clientId: deviceId, receivedAt: 1, messageId: `m-${deviceId}-${seq}` },
  reading: { deviceId, ts: 1000 + seq, seq, values: { t: seq } },
});

/**
 * A latest table that refuses, as DynamoDB does, any write whose batch contains the reading `bad`
 * refuses (`refusal`), the way one invalid item fails a whole request.
 */
function setup(bad: (r: Reading) => boolean, refusal: Error) {
  const attempts: number[] = [];
  const telemetry: TelemetryStore = {
    write: async (readings) => ({ stored: readings.length, duplicates: 0, failed: [] }),
    writeHistorical: async () => ({ stored: 0, duplicates: 0, failed: [] }),
    query: async function* () {},
  };
  const latest: LatestStore = {
    write: async (readings) => {
      attempts.push(readings.length);
      return readings.some(bad)
        ? { updated: 0, older: 0, failed: [...new Set(readings.map((r) => r.deviceId))].map((deviceId) => ({ deviceId, error: refusal })) }
        : { updated: readings.length, older: 0, failed: [] };
    },
    get: async () => undefined,
  };
  const archive: ArchiveWriter = { write: async () => ({ objects: ['k'], failedMessageIds: new Set(), errors: [] }) };
  const metrics = createMetrics({ namespace: 'Fleet', service: 'data', flushIntervalMs: 0, write: () => undefined });
  return { attempts, writer: createReadingWriter({ telemetry, latest, archive, metrics, logger: pino({ level: 'silent' }) }) };
}

describe('reading writes', () => {
  const batch = [accepted('a', 1), accepted('b', 2), accepted('c', 3), accepted('d', 4)];

  it('isolates the reading a store refuses as invalid: the others are durable, it alone is refused with the reason', async () => {
    const t = setup((r) => r.deviceId === 'c', awsError('ValidationException', 400));
    const result = await t.writer.write(batch);
    expect(result.durable.map((a) => a.reading.deviceId).sort()).toEqual(['a', 'b', 'd']);
    expect(result.retry).toEqual([]);
    expect(result.refused).toEqual([
      { accepted: batch[2], reason: 'the store refused this reading: ValidationException: ValidationException (400)' },
    ]);
  });

  it('retries, and never dead-letters, readings that failed for a reason that is not theirs', async () => {
    for (const error of [
      awsError('ResourceNotFoundException', 400),
      awsError('ThrottlingException', 400),
      awsError('AccessDeniedException', 400),
      awsError('InternalServerError', 500),
    ]) {
      const t = setup(() => true, error);
      const result = await t.writer.write(batch);
      expect(result.refused).toEqual([]);
      expect(result.retry).toHaveLength(4);
      expect(t.attempts).toEqual([4]);
    }
  });

  it('tells a refusal of the input from other failures', () => {
    expect(refusedAsInvalid(awsError('ValidationException', 400))).toBe(true);
    expect(refusedAsInvalid(awsError('EntityTooLarge', 413))).toBe(true);
    // DynamoDB answers 400 for these too: the status alone would dead-letter valid readings.
    expect(refusedAsInvalid(awsError('ProvisionedThroughputExceededException', 400))).toBe(false);
    expect(refusedAsInvalid(awsError('ResourceNotFoundException', 400))).toBe(false);
    expect(refusedAsInvalid(awsError('AccessDeniedException', 400))).toBe(false);
    expect(refusedAsInvalid(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(false);
  });

  it("dead-letters a reading the telemetry store refuses as older than its device's raw retention", async () => {
    const telemetry: TelemetryStore = {
      write: async (readings) => ({
        stored: readings.filter((r) => r.deviceId !== 'b').length,
        duplicates: 0,
        failed: readings.filter((r) => r.deviceId === 'b').map((reading) => ({ reading, error: new ReadingPastRetention(reading.ts, 7) })),
      }),
      writeHistorical: async () => ({ stored: 0, duplicates: 0, failed: [] }),
      query: async function* () {},
    };
    const writer = createReadingWriter({
      telemetry,
      latest: { write: async (readings) => ({ updated: readings.length, older: 0, failed: [] }), get: async () => undefined },
      archive: { write: async () => ({ objects: ['k'], failedMessageIds: new Set(), errors: [] }) },
      metrics: createMetrics({ namespace: 'Fleet', service: 'data', flushIntervalMs: 0, write: () => undefined }),
      logger: pino({ level: 'silent' }),
    });
    const result = await writer.write(batch);
    expect(result.durable.map((a) => a.reading.deviceId).sort()).toEqual(['a', 'c', 'd']);
    expect(result.retry).toEqual([]);
    expect(result.refused).toEqual([
      {
        accepted: batch[1],
        reason: `the store refused this reading: ReadingPastRetention: "ts" 1002 is older than the device's raw retention of 7 days`,
      },
    ]);
  });

  it('holds the messages whose latest values were put off, and leaves for redelivery those whose deferred write failed', async () => {
    let failLater: (failed: { deviceId: string; error: unknown }[]) => void = () => undefined;
    const writer = createReadingWriter({
      telemetry: {
        write: async (readings) => ({ stored: readings.length, duplicates: 0, failed: [] }),
        writeHistorical: async () => ({ stored: 0, duplicates: 0, failed: [] }),
        query: async function* () {},
      },
      // a and b were written with the flush; c and d were put off, and d's write will fail.
      latest: {
        write: async () => ({ updated: 2, older: 0, failed: [], deferred: new Promise((resolve) => (failLater = resolve)) }),
        get: async () => undefined,
      },
      archive: { write: async () => ({ objects: ['k'], failedMessageIds: new Set(), errors: [] }) },
      metrics: createMetrics({ namespace: 'Fleet', service: 'data', flushIntervalMs: 0, write: () => undefined }),
      logger: pino({ level: 'silent' }),
    });
    const result = await writer.write(batch);
    expect(result.durable).toEqual(batch);
    expect(result.folded).toBeDefined();
    failLater([{ deviceId: 'd', error: new Error('throttled') }]);
    expect(await result.folded).toEqual([batch[3]]);
  });
});
