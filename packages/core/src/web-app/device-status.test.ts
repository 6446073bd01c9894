import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deviceStatusOf, silentAfterMs } from './device-status.ts';

const now = Date.parse('2026-12-02T06:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

describe('deviceStatusOf', () => {
  it('calls a disconnected device offline, whatever it sent last', () => {
    expect(deviceStatusOf({ online: false, latest: { receivedAt: now - 1 } }, now)).toBe('offline');
    expect(deviceStatusOf({ online: false }, now)).toBe('offline');
  });

  it('keeps a connected device online up to exactly the threshold after its latest reading, silent one millisecond later', () => {
    const connectedAt = iso(now - 2 * silentAfterMs);
    expect(deviceStatusOf({ online: true, connectedAt, latest: { receivedAt: now - silentAfterMs } }, now)).toBe('online');
    expect(deviceStatusOf({ online: true, connectedAt, latest: { receivedAt: now - silentAfterMs - 1 } }, now)).toBe('silent');
  });

  it('gives a device that just reconnected the threshold to send, even when its last reading is old', () => {
    const old = { receivedAt: now - 24 * 3600_000 };
    expect(deviceStatusOf({ online: true, connectedAt: iso(now - 60_000), latest: old }, now)).toBe('online');
    expect(deviceStatusOf({ online: true, connectedAt: iso(now - silentAfterMs - 1), latest: old }, now)).toBe('silent');
  });

  it('calls a connected device that never sent a reading silent once connected longer than the threshold', () => {
    expect(deviceStatusOf({ online: true, connectedAt: iso(now - silentAfterMs) }, now)).toBe('online');
    expect(deviceStatusOf({ online: true, connectedAt: iso(now - silentAfterMs - 1) }, now)).toBe('silent');
    // Nothing says when it was last heard from: nothing says it is sending either.
    expect(deviceStatusOf({ online: true }, now)).toBe('silent');
  });

  it('is silent exactly when connected and the last sign of life is older than the threshold', () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.option(fc.integer({ min: 0, max: 3 * silentAfterMs }), { nil: undefined }),
        fc.option(fc.integer({ min: 0, max: 3 * silentAfterMs }), { nil: undefined }),
        (online, readingAge, connectAge) => {
          const status = deviceStatusOf(
            {
              online,
              ...(connectAge === undefined ? {} : { connectedAt: iso(now - connectAge) }),
              ...(readingAge === undefined ? {} : { latest: { receivedAt: now - readingAge } }),
            },
            now,
          );
          const ages = [readingAge, connectAge].filter((a): a is number => a !== undefined);
          const quiet = ages.length === 0 || Math.min(...ages) > silentAfterMs;
          expect(status).toBe(!online ? 'offline' : quiet ? 'silent' : 'online');
        },
      ),
    );
  });
});
