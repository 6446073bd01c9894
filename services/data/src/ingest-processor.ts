/**
 * What happens to one flush of queue messages: parse, validate, store, archive, and decide which
 * messages may be deleted. A message is deletable ONLY once it is durable: its reading is in the
 * telemetry table, the latest item was offered, and the archive object is written — or its dead
 * letter is written, or its presence event is applied (or ignored as stale / unknown device).
 * Anything else is left for redelivery.
 */
import type { IngestMessage, PresenceIngestMessage, Reading, TelemetryIngestMessage } from '@fleet/core';
import { deviceIdPattern, parseReading } from '@fleet/core';
import type { Logger } from 'pino';
import type { ArchiveEntry, ArchiveWriter } from './archive-writer.ts';
import type { DeadLetter, DeadLetterStore } from './dead-letters.ts';
import type { Metrics } from './emf.ts';
import type { QueueMessage } from './ingest-queue.ts';
import type { LatestStore } from './latest-store.ts';
import type { PresenceStore } from './presence.ts';
import type { TelemetryStore } from './telemetry-store.ts';

export interface ProcessResult {
  readonly deletable: readonly QueueMessage[];
  readonly retry: readonly QueueMessage[];
}

export interface IngestProcessor {
  process(messages: readonly QueueMessage[]): Promise<ProcessResult>;
}

export interface IngestProcessorOptions {
  readonly telemetry: TelemetryStore;
  readonly latest: LatestStore;
  readonly archive: ArchiveWriter;
  readonly deadLetters: DeadLetterStore;
  readonly presence: PresenceStore;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly now?: () => number;
}

export type BodyParseResult = { readonly ok: true; readonly message: IngestMessage } | { readonly ok: false; readonly reason: string };

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
        return { ok: false, reason: `telemetry message field "${field}" must be a non-empty string, received ${JSON.stringify(m[field])}` };
    }
    if (!isTime(m['receivedAt']))
      return { ok: false, reason: `telemetry message "receivedAt" must be epoch ms, received ${JSON.stringify(m['receivedAt'])}` };
    if (!deviceIdPattern.test(m['deviceId'] as string)) {
      return { ok: false, reason: `device id ${JSON.stringify(m['deviceId'])} must match ${deviceIdPattern}` };
    }
    return { ok: true, message: m as unknown as TelemetryIngestMessage };
  }
  if (m['kind'] === 'presence') {
    if (m['eventType'] !== 'connected' && m['eventType'] !== 'disconnected') {
      return { ok: false, reason: `presence "eventType" must be connected or disconnected, received ${JSON.stringify(m['eventType'])}` };
    }
    if (!isString(m['clientId'])) return { ok: false, reason: 'presence message "clientId" must be a non-empty string' };
    if (!isTime(m['timestamp']))
      return { ok: false, reason: `presence "timestamp" must be epoch ms, received ${JSON.stringify(m['timestamp'])}` };
    return { ok: true, message: m as unknown as PresenceIngestMessage };
  }
  return { ok: false, reason: `queue message "kind" must be "telemetry" or "presence", received ${JSON.stringify(m['kind'])}` };
}

/** Base64 as AWS IoT's `encode(*, 'base64')` writes it; rejects anything else instead of guessing. */
function decodeBase64(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return undefined;
  return Buffer.from(text, 'base64');
}

const readingKey = (r: Pick<Reading, 'deviceId' | 'ts' | 'seq'>) => `${r.deviceId}\u0000${r.ts}\u0000${r.seq}`;

/** Creates the per-flush processing step. */
export function createIngestProcessor(options: IngestProcessorOptions): IngestProcessor {
  const { telemetry, latest, archive, deadLetters, presence, metrics, logger } = options;
  const now = options.now ?? Date.now;

  return {
    async process(messages) {
      const deletable: QueueMessage[] = [];
      const retry: QueueMessage[] = [];
      const letters: { queued: QueueMessage; letter: DeadLetter }[] = [];
      const accepted: { queued: QueueMessage; body: TelemetryIngestMessage; reading: Reading }[] = [];
      const events: { queued: QueueMessage; event: PresenceIngestMessage }[] = [];
      const at = now();
      metrics.observe('BatchSize', messages.length, 'Count');

      for (const queued of messages) {
        const parsed = parseIngestBody(queued.body);
        if (!parsed.ok) {
          letters.push({ queued, letter: { messageId: queued.messageId, reason: parsed.reason, payload: queued.body, receivedAt: at } });
          continue;
        }
        const message = parsed.message;
        if (message.kind === 'presence') {
          events.push({ queued, event: message });
          continue;
        }
        metrics.observe('QueueLagMs', Math.max(0, at - message.receivedAt), 'Milliseconds');
        const bytes = decodeBase64(message.payload);
        const result = bytes
          ? parseReading(message.deviceId, bytes, message.receivedAt)
          : ({ ok: false, reason: 'telemetry "payload" is not base64' } as const);
        if (!result.ok) {
          letters.push({
            queued,
            letter: {
              messageId: message.messageId,
              reason: result.reason,
              payload: message.payload,
              deviceId: message.deviceId,
              receivedAt: message.receivedAt,
            },
          });
          continue;
        }
        accepted.push({ queued, body: message, reading: result.reading });
      }

      // Dead letters first: independent of the stores, each decides its own message.
      const letterWrites = Promise.all(
        letters.map(async ({ queued, letter }) => {
          try {
            await deadLetters.write(letter);
            metrics.count('ReadingsRejected');
            logger.warn({ messageId: letter.messageId, deviceId: letter.deviceId, reason: letter.reason }, 'reading rejected');
            deletable.push(queued);
          } catch (err) {
            logger.error({ err, messageId: letter.messageId }, 'dead letter write failed');
            retry.push(queued);
          }
        }),
      );

      const presenceWrites = Promise.all(
        events.map(async ({ queued, event }) => {
          try {
            const outcome = await presence.apply(event);
            logger.debug({ clientId: event.clientId, eventType: event.eventType, outcome }, 'presence event');
            deletable.push(queued);
          } catch (err) {
            logger.error({ err, clientId: event.clientId }, 'presence update failed');
            retry.push(queued);
          }
        }),
      );

      const readingWrites = (async () => {
        if (accepted.length === 0) return;
        const readings = accepted.map((a) => a.reading);
        const archiveEntries = new Map<string, ArchiveEntry>();
        for (const { body, reading } of accepted) {
          archiveEntries.set(body.messageId, {
            messageId: body.messageId,
            deviceId: reading.deviceId,
            receivedAt: body.receivedAt,
            ts: reading.ts,
            seq: reading.seq,
            values: reading.values,
          });
        }
        let results;
        try {
          results = await Promise.all([
            telemetry.write(readings),
            latest.write(accepted.map(({ body, reading }) => ({ ...reading, receivedAt: body.receivedAt }))),
            archive.write([...archiveEntries.values()]),
          ]);
        } catch (err) {
          logger.error({ err, messages: accepted.length }, 'storing readings failed');
          for (const { queued } of accepted) retry.push(queued);
          return;
        }
        const [stored, newest, archived] = results;
        metrics.count('ReadingsStored', stored.stored);
        metrics.count('DuplicateReadings', stored.duplicates);
        const failedReadings = new Set(stored.failed.map((f) => readingKey(f.reading)));
        const failedDevices = new Set(newest.failed.map((f) => f.deviceId));
        for (const f of newest.failed) logger.error({ err: f.error, deviceId: f.deviceId }, 'latest values write failed');
        for (const { queued, body, reading } of accepted) {
          const durable =
            !failedReadings.has(readingKey(reading)) &&
            !failedDevices.has(reading.deviceId) &&
            !archived.failedMessageIds.has(body.messageId);
          (durable ? deletable : retry).push(queued);
        }
        if (archived.failedMessageIds.size > 0)
          logger.error({ err: archived.errors[0], messages: archived.failedMessageIds.size }, 'archive write failed');
      })();

      await Promise.all([letterWrites, presenceWrites, readingWrites]);
      return { deletable, retry };
    },
  };
}
