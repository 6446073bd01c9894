import { describe, expect, it } from 'vitest';
import { deviceStatusOf } from './device-status-counts.ts';

describe('device status', () => {
  const now = 1_000_000_000;
  it('calls a device with a reading within the silent time online, connected or not', () => {
    expect(deviceStatusOf({ connected: false, lastReadingAt: now - 1_000 }, now)).toBe('online');
    expect(deviceStatusOf({ connected: true, lastReadingAt: now - 300_000 }, now)).toBe('online');
  });
  it('calls a connected device without a recent reading silent, and one neither connected nor recent offline', () => {
    expect(deviceStatusOf({ connected: true, lastReadingAt: now - 300_001 }, now)).toBe('silent');
    expect(deviceStatusOf({ connected: true, lastReadingAt: undefined }, now)).toBe('silent');
    expect(deviceStatusOf({ connected: false, lastReadingAt: now - 3_600_000 }, now)).toBe('offline');
    expect(deviceStatusOf({ connected: false, lastReadingAt: undefined }, now)).toBe('offline');
  });
});
