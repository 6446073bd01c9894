/**
 * What a subscriber saw of a run: distinct messages delivered, redeliveries, when the last one
 * arrived, and publish→arrival of each. Publisher and subscriber run in the bench process, so the
 * reading's own `ts` (set by the load generator or the probe when it publishes) and the arrival
 * time are read from the same clock. Pure: the MQTT handlers feed it, the tests drive it directly.
 */
import { deviceIdOfTelemetryTopic, parseReading } from '@fleet/core';
import { summarizeLatencies, type LatencySummary } from './stats.ts';

export interface DeliverySnapshot {
  /** Distinct readings (device, seq) delivered since the last reset. */
  readonly delivered: number;
  /** Deliveries of a reading already delivered (QoS 1 is at least once). */
  readonly duplicates: number;
  /** Messages that were not a reading of a telemetry topic (never expected: counted, not hidden). */
  readonly unreadable: number;
  /** Epoch ms of the last delivery; 0 before the first. */
  readonly lastDeliveredAt: number;
  /** Publish → first arrival of each distinct reading. */
  readonly publishToDelivery: LatencySummary;
}

export interface DeliveryRecorder {
  /** One MQTT message as it arrived; `arrivedAt` in epoch ms. */
  record(topic: string, payload: Uint8Array, arrivedAt: number): void;
  /** Starts a new run: counts and latencies from zero. */
  reset(): void;
  snapshot(): DeliverySnapshot;
}

/**
 * Parses each message as the web app's live chart does (`parseReading` of `@fleet/core`, the Data
 * Service's own judgement), so a subscriber pays what the browser pays per message.
 */
export function createDeliveryRecorder(): DeliveryRecorder {
  let seen = new Set<string>();
  let duplicates = 0;
  let unreadable = 0;
  let lastDeliveredAt = 0;
  let latencies: number[] = [];
  return {
    record(topic, payload, arrivedAt) {
      const deviceId = deviceIdOfTelemetryTopic(topic);
      const parsed = deviceId === undefined ? undefined : parseReading(deviceId, payload, arrivedAt);
      if (!parsed?.ok) {
        unreadable += 1;
        return;
      }
      const key = `${parsed.reading.deviceId}#${parsed.reading.seq}`;
      lastDeliveredAt = Math.max(lastDeliveredAt, arrivedAt);
      if (seen.has(key)) {
        duplicates += 1;
        return;
      }
      seen.add(key);
      latencies.push(arrivedAt - parsed.reading.ts);
    },
    reset() {
      seen = new Set();
      duplicates = 0;
      unreadable = 0;
      lastDeliveredAt = 0;
      latencies = [];
    },
    snapshot: () => ({
      delivered: seen.size,
      duplicates,
      unreadable,
      lastDeliveredAt,
      publishToDelivery: summarizeLatencies(latencies),
    }),
  };
}
