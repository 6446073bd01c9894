import { describe, expect, it } from 'vitest';
import { deviceStatus, readingProvesOnlineMs, statusText } from './device-status.ts';

const now = Date.parse('2026-12-02T06:00:00.000Z');
const iso = (msAgo: number) => new Date(now - msAgo).toISOString();

describe('device status', () => {
  it('reads a device online that published a second ago while its connect event is still on its way', () => {
    const status = deviceStatus({ online: false, lastSeenAt: iso(3_600_000), liveReceivedAt: now - 1000 }, now);
    expect(status).toEqual({ online: true, lastSeen: now - 1000 });
    expect(statusText(status, now)).toBe('online · last seen 1 s ago');
  });

  it('takes the stored latest reading as a sign of life too', () => {
    expect(deviceStatus({ online: false, latestReceivedAt: now - 3000 }, now)).toEqual({ online: true, lastSeen: now - 3000 });
  });

  it('believes a disconnect event newer than the last reading', () => {
    const status = deviceStatus({ online: false, lastSeenAt: iso(2 * 3_600_000), latestReceivedAt: now - 2 * 3_600_000 - 5000 }, now);
    expect(statusText(status, now)).toBe('offline · last seen 2 h ago');
  });

  it('lets an old reading prove nothing: offline once the keep-alive would have dropped the connection', () => {
    expect(deviceStatus({ online: false, latestReceivedAt: now - readingProvesOnlineMs - 1 }, now).online).toBe(false);
    expect(deviceStatus({ online: false, latestReceivedAt: now - readingProvesOnlineMs }, now).online).toBe(true);
  });

  it('is online when presence says so, last seen at the connect event', () => {
    expect(statusText(deviceStatus({ online: true, lastSeenAt: iso(125_000) }, now), now)).toBe('online · last seen 2 min ago');
  });

  it('says when a device was never seen', () => {
    expect(statusText(deviceStatus({ online: false }, now), now)).toBe('offline · never seen');
  });
});
