/**
 * What each reading costs in write units with its rollups, as dynalite reports them
 * (ReturnConsumedCapacity TOTAL): the figures of rollups/README.md.
 */
import { defaultRetention, type Reading } from '@fleet/core';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTelemetryStore } from '../telemetry-store.ts';
import { startLocalAws, type LocalAws } from '../testing/local-aws.ts';
import { createRollupWriter } from './rollup-writer.ts';

const base = Date.UTC(2025, 6, 1, 10, 0);
const devices = 20;
const flushes = 12;

describe('write units per reading with rollups', () => {
  let aws: LocalAws;
  beforeAll(async () => {
    aws = await startLocalAws();
  });
  afterAll(async () => aws.close());

  /** `flushes` flushes of `perFlush` readings per device (5 s apart), `devices` devices: units per reading. */
  async function measure(tag: string, perFlush: number) {
    const units = { telemetry: 0, rollups: 0 };
    const store = createTelemetryStore({
      client: aws.dynamo,
      tableName: aws.tableNames.telemetry,
      logger: pino({ level: 'silent' }),
      onWriteUnits: (u) => (units.telemetry += u),
      rollups: createRollupWriter({
        client: aws.dynamo,
        tableName: aws.tableNames.rollups,
        policyOf: () => Promise.resolve(defaultRetention),
        onWriteUnits: (u) => (units.rollups += u),
      }),
    });
    let i = 0;
    for (let f = 0; f < flushes; f++) {
      const flush: Reading[] = [];
      for (let d = 0; d < devices; d++) {
        for (let k = 0; k < perFlush; k++) {
          const n = f * perFlush + k;
          flush.push({ deviceId: `${tag}-${d}`, ts: base + n * 5000, seq: n, values: { temperature: 20 + (n % 7), humidity: 40 } });
        }
      }
      i += flush.length;
      expect((await store.write(flush)).failed).toEqual([]);
    }
    return { telemetry: units.telemetry / i, rollups: units.rollups / i };
  }

  it('costs 1 telemetry unit and 3 rollup units per reading when each flush holds one reading per device', async () => {
    const perReading = await measure('slow', 1);
    console.info(`1 reading/device/flush: ${JSON.stringify(perReading)} write units per reading`);
    expect(perReading).toEqual({ telemetry: 1, rollups: 3 });
  });

  it('costs 1/12 of that when a flush holds a whole minute (12 readings) of each device', async () => {
    const perReading = await measure('fast', 12);
    console.info(`12 readings/device/flush: ${JSON.stringify(perReading)} write units per reading`);
    expect(perReading).toEqual({ telemetry: 1 / 12, rollups: 3 / 12 });
  });
});
