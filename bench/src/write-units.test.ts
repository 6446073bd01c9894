import { describe, expect, it } from 'vitest';
import { modelledWriteUnits, writeUnitsPerReading, writeUnitsSince } from './write-units.ts';

describe('writeUnitsPerReading', () => {
  it('divides each table’s units and their sum by the readings stored', () => {
    expect(
      writeUnitsPerReading({ readingsStored: 200, telemetryWrites: 50, telemetryUnits: 150, latestUnits: 50, rollupUnits: 100 }),
    ).toEqual({
      readingsStored: 200,
      telemetryWrites: 50,
      telemetryUnits: 150,
      latestUnits: 50,
      rollupUnits: 100,
      unitsPerReading: 1.5,
      telemetryUnitsPerReading: 0.75,
      latestUnitsPerReading: 0.25,
      rollupUnitsPerReading: 0.5,
      modelled: undefined,
    });
  });

  it('has no ratio before the first stored reading', () => {
    expect(
      writeUnitsPerReading({ readingsStored: 0, telemetryWrites: 3, telemetryUnits: 3, latestUnits: 0, rollupUnits: 0 }).unitsPerReading,
    ).toBeUndefined();
  });
});

describe('writeUnitsSince', () => {
  it('counts what the counters added between two readings: the soak without the ingest run before it', () => {
    const before = { readingsStored: 5_000, telemetryWrites: 900, telemetryUnits: 1_000, latestUnits: 300, rollupUnits: 100 };
    const after = { readingsStored: 35_000, telemetryWrites: 30_900, telemetryUnits: 61_000, latestUnits: 3_300, rollupUnits: 400 };
    expect(writeUnitsSince(before, after)).toEqual({
      readingsStored: 30_000,
      telemetryWrites: 30_000,
      telemetryUnits: 60_000,
      latestUnits: 3_000,
      rollupUnits: 300,
    });
    expect(writeUnitsPerReading(writeUnitsSince(before, after)).unitsPerReading).toBeCloseTo(63_300 / 30_000);
  });
});

describe('modelledWriteUnits', () => {
  it('models the flush composition the telemetry writes reveal: one window write per device and flush, the latest once a second, the rollups per round and fold', () => {
    // 200 readings in 50 telemetry writes: 4 readings of a device per flush; one value each, a reading every 20 ms.
    const sums = { readingsStored: 200, telemetryWrites: 50, telemetryUnits: 60, latestUnits: 4, rollupUnits: 150 };
    const modelled = modelledWriteUnits(sums, { intervalSeconds: 0.02, metrics: 1 });
    // The latest item once a second: every 50 readings.
    expect(modelled).toMatchObject({ readingsPerDeviceFlush: 4, latestUnitsPerReading: 0.02 });
    // Per 30 s fold: 6 rounds × (minute + mark) + hour + day + the mark's delete, for 1,500 readings.
    expect(modelled!.rollupUnitsPerReading).toBeCloseTo(15 / 1500);
    // A window is a chain of items of about 1 KB (services/data/src/window-chain.ts): each write of 4 readings is one unit.
    expect(modelled!.telemetryUnitsPerReading).toBeCloseTo(0.25);
    expect(writeUnitsPerReading(sums, { intervalSeconds: 0.02, metrics: 1 }).modelled).toEqual(modelled);
  });

  it('models nothing before a telemetry write was counted', () => {
    expect(
      modelledWriteUnits(
        { readingsStored: 10, telemetryWrites: 0, telemetryUnits: 0, latestUnits: 10, rollupUnits: 0 },
        { intervalSeconds: 1, metrics: 1 },
      ),
    ).toBeUndefined();
  });
});
