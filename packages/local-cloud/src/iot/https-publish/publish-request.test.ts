import { describe, expect, it } from 'vitest';
import { maxTopicBytes, parsePublishRequest } from './publish-request.ts';

describe('parsePublishRequest', () => {
  it('reads the URL-encoded topic and qos, 0 when absent as AWS', () => {
    expect(parsePublishRequest('POST', '/topics/fleet%2Fdevices%2Fa%2Ftelemetry?qos=1')).toEqual({
      ok: true,
      topic: 'fleet/devices/a/telemetry',
      qos: 1,
    });
    expect(parsePublishRequest('POST', '/topics/fleet/devices/a/telemetry')).toEqual({
      ok: true,
      topic: 'fleet/devices/a/telemetry',
      qos: 0,
    });
    expect(parsePublishRequest('POST', '/topics/%24aws/things/a/shadow/update?qos=0')).toMatchObject({
      topic: '$aws/things/a/shadow/update',
    });
  });

  it('answers 400 for bad input (never a crash): qos, wildcards, an over-long topic, broken encoding, a target that is no path', () => {
    const statusOf = (url: string) => {
      const parsed = parsePublishRequest('POST', url);
      return parsed.ok ? 200 : parsed.status;
    };
    expect(statusOf('/topics/a?qos=2')).toBe(400);
    expect(statusOf('/topics/a?qos=')).toBe(400);
    expect(statusOf('/topics/a/%2B/b')).toBe(400);
    expect(statusOf('/topics/a/%23')).toBe(400);
    expect(statusOf(`/topics/${'x'.repeat(maxTopicBytes + 1)}`)).toBe(400);
    expect(statusOf('/topics/%E0%A4%A')).toBe(400);
    expect(statusOf('http://[')).toBe(400);
  });

  it('answers 404 off /topics and 405 for a method other than POST', () => {
    expect(parsePublishRequest('POST', '/things/a')).toMatchObject({ ok: false, status: 404 });
    expect(parsePublishRequest('POST', '/topics/')).toMatchObject({ ok: false, status: 404 });
    expect(parsePublishRequest('PUT', '/topics/a')).toMatchObject({ ok: false, status: 405 });
  });
});
