import { describe, expect, it } from 'vitest';
import { archiveHourPrefix, archiveKey } from './archive-writer.ts';
import { deadLetterKey } from './dead-letters.ts';
import { parseIngestBody } from './ingest-classify.ts';
import { ingestMessageFromErrorAction } from './replay.ts';

const telemetry = {
  kind: 'telemetry',
  payload: 'e30=',
  deviceId: 'dev-1',
  clientId: 'dev-1',
  receivedAt: 1_732_440_000_000,
  messageId: 'm-1',
};

describe('queue message bodies', () => {
  it('accepts the telemetry and presence shapes the IoT rules produce', () => {
    expect(parseIngestBody(JSON.stringify(telemetry))).toEqual({ ok: true, message: telemetry });
    const presence = {
      kind: 'presence',
      eventType: 'disconnected',
      clientId: 'dev-1',
      timestamp: 1,
      disconnectReason: 'CLIENT_INITIATED_DISCONNECT',
    };
    expect(parseIngestBody(JSON.stringify(presence))).toEqual({ ok: true, message: presence });
  });

  it('explains what is wrong with a body it refuses', () => {
    const reason = (body: unknown) => {
      const r = parseIngestBody(typeof body === 'string' ? body : JSON.stringify(body));
      return r.ok ? 'accepted' : r.reason;
    };
    expect(reason('{')).toMatch(/not JSON/);
    expect(reason({ kind: 'other' })).toMatch(/"kind" must be "telemetry" or "presence", received "other"/);
    expect(reason({ ...telemetry, payload: 7 })).toMatch(/"payload" must be a non-empty string, received 7/);
    expect(reason({ ...telemetry, receivedAt: 'now' })).toMatch(/"receivedAt" must be epoch ms/);
    expect(reason({ ...telemetry, deviceId: 'a/b' })).toMatch(/device id "a\/b" must match/);
    expect(reason({ kind: 'presence', eventType: 'subscribed', clientId: 'c', timestamp: 1 })).toMatch(
      /"eventType" must be connected or disconnected/,
    );
  });
});

describe('object keys', () => {
  it('gives a batch the same archive key whatever the order of its message ids', () => {
    const prefix = archiveHourPrefix(Date.UTC(2024, 10, 24, 9, 59, 59));
    expect(prefix).toBe('archive/2024/11/24/09/');
    expect(archiveKey(prefix, ['a', 'b', 'c'])).toBe(archiveKey(prefix, ['c', 'a', 'b']));
    expect(archiveKey(prefix, ['a', 'b'])).not.toBe(archiveKey(prefix, ['a', 'b', 'c']));
    expect(archiveKey(prefix, ['a'])).toMatch(/^archive\/2024\/11\/24\/09\/[0-9a-f]{32}\.jsonl$/);
  });

  it('files a dead letter under its UTC day and message id', () => {
    expect(deadLetterKey({ messageId: 'f3c1-9a', receivedAt: Date.UTC(2024, 0, 31, 23, 59) })).toBe(
      'dead-letters/ingest/2024/01/31/f3c1-9a.json',
    );
    expect(deadLetterKey({ messageId: '../x', receivedAt: 0 })).toBe('dead-letters/ingest/1970/01/01/.._x.json');
  });
});

describe('error-action dead letters', () => {
  it('rebuilds the ingest message with the object id as message id', () => {
    const body = JSON.stringify({
      ruleName: 'fleet_telemetry_ingest',
      topic: 'fleet/devices/dev-9/telemetry',
      clientId: 'dev-9',
      base64OriginalPayload: 'e30=',
      failures: [],
    });
    expect(ingestMessageFromErrorAction(body, 'dead-letters/rules/fleet_telemetry_ingest/2024/11/24/09/uuid-1.json', 42)).toEqual({
      kind: 'telemetry',
      payload: 'e30=',
      deviceId: 'dev-9',
      clientId: 'dev-9',
      receivedAt: 42,
      messageId: 'uuid-1',
    });
  });

  it('refuses objects that are not telemetry error-action messages', () => {
    expect(ingestMessageFromErrorAction('nope', 'k.json', 1)).toBeUndefined();
    expect(
      ingestMessageFromErrorAction(JSON.stringify({ topic: 'other/topic', base64OriginalPayload: 'e30=' }), 'k.json', 1),
    ).toBeUndefined();
  });
});
