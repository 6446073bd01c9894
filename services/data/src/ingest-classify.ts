/**
 * What one queue message is, decided without ever throwing: a reading to store, a presence event
 * to apply, or a dead letter with the reason it cannot be accepted. Total on purpose: a single
 * message that made parsing throw (a deeply nested JSON payload overflowed `JSON.stringify` in a
 * reason message) used to fail the whole flush, and every other message of it went to the DLQ.
 */
import type { IngestMessage, PresenceIngestMessage, Reading, TelemetryIngestMessage } from '@fleet/core';
import { describeJsonValue, deviceIdPattern, parseReading } from '@fleet/core';
import type { DeadLetter } from './dead-letters.ts';
import type { QueueMessage } from './ingest-queue.ts';

export type BodyParseResult = { readonly ok: true; readonly message: IngestMessage } | { readonly ok: false; readonly reason: string };

export type Classified =
  | { readonly kind: 'reading'; readonly body: TelemetryIngestMessage; readonly reading: Reading }
  | { readonly kind: 'presence'; readonly event: PresenceIngestMessage }
  | { readonly kind: 'letter'; readonly letter: DeadLetter };

const isString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;

/** Checks a queue body against the shapes of `ingest-message.ts`; never throws. */
export function parseIngestBody(body: string): BodyParseResult {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (err) {
    return { ok: false, reason: `queue message body is not JSON: ${(err as Error).message}` };
  }
  if (typeof value !== 'object' || value === null) return { ok: false, reason: 'queue message body must be a JSON object' };
  const m = value as Record<string, unknown>;
  if (m['kind'] === 'telemetry') {
    for (const field of ['payload', 'deviceId', 'clientId', 'messageId']) {
      if (!isString(m[field]))
        return {
          ok: false,
          reason: `telemetry message field "${field}" must be a non-empty string, received ${describeJsonValue(m[field])}`,
        };
    }
    if (!isTime(m['receivedAt']))
      return { ok: false, reason: `telemetry message "receivedAt" must be epoch ms, received ${describeJsonValue(m['receivedAt'])}` };
    if (!deviceIdPattern.test(m['deviceId'] as string)) {
      return { ok: false, reason: `device id ${describeJsonValue(m['deviceId'])} must match ${deviceIdPattern}` };
    }
    return { ok: true, message: m as unknown as TelemetryIngestMessage };
  }
  if (m['kind'] === 'presence') {
    if (m['eventType'] !== 'connected' && m['eventType'] !== 'disconnected') {
      return { ok: false, reason: `presence "eventType" must be connected or disconnected, received ${describeJsonValue(m['eventType'])}` };
    }
    if (!isString(m['clientId'])) return { ok: false, reason: 'presence message "clientId" must be a non-empty string' };
    if (!isTime(m['timestamp']))
      return { ok: false, reason: `presence "timestamp" must be epoch ms, received ${describeJsonValue(m['timestamp'])}` };
    const version = m['versionNumber'];
    if (version !== undefined && !(Number.isSafeInteger(version) && (version as number) >= 0))
      return { ok: false, reason: `presence "versionNumber" must be a non-negative integer, received ${describeJsonValue(version)}` };
    return { ok: true, message: m as unknown as PresenceIngestMessage };
  }
  return { ok: false, reason: `queue message "kind" must be "telemetry" or "presence", received ${describeJsonValue(m['kind'])}` };
}

/** Base64 as AWS IoT's `encode(*, 'base64')` writes it; rejects anything else instead of guessing. */
function decodeBase64(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return undefined;
  return Buffer.from(text, 'base64');
}

/** Classifies one queue message; `at` is the processing time, the receive time of a letter without one. */
export function classify(queued: QueueMessage, at: number): Classified {
  try {
    const parsed = parseIngestBody(queued.body);
    if (!parsed.ok)
      return { kind: 'letter', letter: { messageId: queued.messageId, reason: parsed.reason, payload: queued.body, receivedAt: at } };
    const message = parsed.message;
    if (message.kind === 'presence') return { kind: 'presence', event: message };
    const bytes = decodeBase64(message.payload);
    const result = bytes
      ? parseReading(message.deviceId, bytes, message.receivedAt)
      : ({ ok: false, reason: 'telemetry "payload" is not base64' } as const);
    if (result.ok) return { kind: 'reading', body: message, reading: result.reading };
    return {
      kind: 'letter',
      letter: {
        messageId: message.messageId,
        reason: result.reason,
        payload: message.payload,
        deviceId: message.deviceId,
        receivedAt: message.receivedAt,
      },
    };
  } catch (err) {
    // Not expected (parsing is total by construction); if it happens, this message alone is kept with the reason.
    const reason = `message could not be processed: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`;
    return { kind: 'letter', letter: { messageId: queued.messageId, reason, payload: queued.body, receivedAt: at } };
  }
}
