/**
 * What happens to one flush of queue messages: classify, validate, store, archive, and decide which
 * messages may be deleted. A message is deletable ONLY once it is durable: its reading is in the
 * telemetry table, the latest item was offered, the archive object is written and its device's
 * alarms are evaluated and their transitions written (alarms/alarm-engine.ts) — or its dead
 * letter is written, or its presence event is applied (or ignored as stale / unknown device).
 * Anything else is left for redelivery. With deferred rollups (rollups/fold-scheduler.ts)
 * a stored reading's message is `held`: deletable only once the folds covering its minute are
 * written, which `held.verdict` answers a few seconds later.
 *
 * Processing is total and per message: a message that cannot be parsed, validated or stored
 * (ingest-classify.ts, reading-writes.ts) becomes a dead letter with its reason; it never fails the
 * other messages of its flush.
 */
import { dataServiceMetrics, type PresenceIngestMessage } from '@fleet/core';
import type { Logger } from 'pino';
import type { AlarmEngine } from './alarms/alarm-engine.ts';
import type { ArchiveWriter } from './archive-writer.ts';
import type { DeadLetter, DeadLetterStore } from './dead-letters.ts';
import type { Metrics } from './emf.ts';
import { classify } from './ingest-classify.ts';
import type { QueueMessage } from './ingest-queue.ts';
import type { LatestStore } from './latest-store.ts';
import type { GroupRepublisher } from './live/group-republisher.ts';
import type { PresenceStore } from './presence.ts';
import { createReadingWriter, type AcceptedReading } from './reading-writes.ts';
import type { TelemetryStore } from './telemetry-store.ts';

export interface ProcessVerdict {
  readonly deletable: readonly QueueMessage[];
  readonly retry: readonly QueueMessage[];
}

export interface ProcessResult extends ProcessVerdict {
  /** Messages of stored readings whose deferred folds are not written yet, and their verdict once they are. */
  readonly held?: { readonly messages: readonly QueueMessage[]; readonly verdict: Promise<ProcessVerdict> };
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
  /** Evaluates user-defined alarms on the durable readings of a flush. @default no alarms */
  readonly alarms?: AlarmEngine;
  /** Re-publishes durable readings to their granted thing groups' live topics, in the background. @default none */
  readonly live?: GroupRepublisher;
  readonly now?: () => number;
}

/** Creates the per-flush processing step. */
export function createIngestProcessor(options: IngestProcessorOptions): IngestProcessor {
  const { deadLetters, presence, metrics, logger } = options;
  const now = options.now ?? Date.now;
  const readings = createReadingWriter(options);

  async function keep(letters: readonly { queued: QueueMessage; letter: DeadLetter }[], deletable: QueueMessage[], retry: QueueMessage[]) {
    await Promise.all(
      letters.map(async ({ queued, letter }) => {
        try {
          await deadLetters.write(letter);
          metrics.count(dataServiceMetrics.readingsRejected);
          logger.warn({ messageId: letter.messageId, deviceId: letter.deviceId, reason: letter.reason }, 'reading rejected');
          deletable.push(queued);
        } catch (err) {
          logger.error({ err, messageId: letter.messageId }, 'dead letter write failed');
          retry.push(queued);
        }
      }),
    );
  }

  /** The held messages' verdict: deletable once folded, left for redelivery when their fold failed. */
  function holdUntilFolded(
    readings: readonly AcceptedReading[],
    folded: Promise<readonly AcceptedReading[]>,
  ): NonNullable<ProcessResult['held']> {
    const messages = readings.map((a) => a.queued);
    const verdict = folded.then((unfolded) => {
      const again = new Set(unfolded.map((a) => a.queued));
      return { deletable: messages.filter((m) => !again.has(m)), retry: messages.filter((m) => again.has(m)) };
    });
    return { messages, verdict };
  }

  return {
    async process(messages) {
      const deletable: QueueMessage[] = [];
      const retry: QueueMessage[] = [];
      const letters: { queued: QueueMessage; letter: DeadLetter }[] = [];
      const accepted: AcceptedReading[] = [];
      const heldReadings: AcceptedReading[] = [];
      let folded: Promise<readonly AcceptedReading[]> | undefined;
      const events: { queued: QueueMessage; event: PresenceIngestMessage }[] = [];
      const at = now();
      metrics.observe('BatchSize', messages.length, 'Count');

      for (const queued of messages) {
        const c = classify(queued, at);
        if (c.kind === 'letter') letters.push({ queued, letter: c.letter });
        else if (c.kind === 'presence') events.push({ queued, event: c.event });
        else {
          metrics.observe('QueueLagMs', Math.max(0, at - c.body.receivedAt), 'Milliseconds');
          accepted.push({ queued, body: c.body, reading: c.reading });
        }
      }

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
        const written = await readings.write(accepted);
        // Offered, not awaited: live views are best effort and never hold a message back.
        options.live?.offer(written.durable.map((a) => ({ deviceId: a.reading.deviceId, payload: Buffer.from(a.body.payload, 'base64') })));
        // Alarms see readings only once they are durable; a message is deletable only once its
        // device's alarm evaluation is durable too (a redelivery is harmless: see alarms/evaluate.ts).
        const evaluated = options.alarms ? await options.alarms.evaluate(written.durable.map((a) => a.reading)) : undefined;
        if (evaluated?.transitions) metrics.count('AlarmTransitions', evaluated.transitions);
        // Stored and evaluated; with deferred folds deletable only once those of its minute are written.
        folded = written.folded;
        for (const a of written.durable) {
          if (evaluated?.failedDevices.has(a.reading.deviceId)) retry.push(a.queued);
          else if (folded) heldReadings.push(a);
          else deletable.push(a.queued);
        }
        for (const a of written.retry) retry.push(a.queued);
        // Refused by a store on its own: kept as a dead letter with the store's reason.
        await keep(
          written.refused.map(({ accepted: { queued, body }, reason }) => ({
            queued,
            letter: { messageId: body.messageId, reason, payload: body.payload, deviceId: body.deviceId, receivedAt: body.receivedAt },
          })),
          deletable,
          retry,
        );
      })();

      // Dead letters are independent of the stores: each decides its own message.
      await Promise.all([keep(letters, deletable, retry), presenceWrites, readingWrites]);
      return { deletable, retry, ...(folded && heldReadings.length > 0 ? { held: holdUntilFolded(heldReadings, folded) } : {}) };
    },
  };
}
