import { describe, expect, it } from 'vitest';
import { writeUnitsPerReading } from './write-units.ts';

describe('writeUnitsPerReading', () => {
  it('divides each table’s units and their sum by the readings stored', () => {
    expect(writeUnitsPerReading({ readingsStored: 200, telemetryUnits: 150, latestUnits: 50 })).toEqual({
      readingsStored: 200,
      telemetryUnits: 150,
      latestUnits: 50,
      unitsPerReading: 1,
      telemetryUnitsPerReading: 0.75,
      latestUnitsPerReading: 0.25,
    });
  });

  it('has no ratio before the first stored reading', () => {
    expect(writeUnitsPerReading({ readingsStored: 0, telemetryUnits: 3, latestUnits: 0 }).unitsPerReading).toBeUndefined();
  });
});
