/**
 * Fleet's MQTT broker alone (issue 9): the load generator's devices publish QoS 1 over mutual TLS
 * to their own telemetry topics, and one subscriber receives all of them with QoS 1. The only
 * identity whose IoT policy may subscribe to `fleet/devices/+/telemetry` is a signed-in user's
 * browser identity (`browserPolicyDocument` in @fleet/core; a device may subscribe to its own
 * commands only), so the subscriber is that: MQTT over WebSocket with a SigV4-presigned URL.
 *
 * "Alone" is the broker without the rest of the ingest path in the figure, not without the rules
 * engine: the broker holds each PUBACK *and the delivery to subscribers* until the rules engine has
 * made the message durable (iot/broker/publish-gate.ts), so both figures include that write. The
 * Data Service keeps consuming the queue meanwhile, on the same cores.
 */
import type { Logger } from 'pino';
import type { DeliveryRecorder } from './delivery-recorder.ts';
import type { LoadGenerator, LoadResult } from './load-generator.ts';
import { medianRun } from './mosquitto-peer.ts';
import { ratePerSecond, type LatencySummary } from './stats.ts';

export interface FleetBrokerRun {
  readonly load: LoadResult;
  readonly expected: number;
  /** Distinct messages the subscriber received. */
  readonly received: number;
  readonly duplicates: number;
  /** Messages delivered per second over [first publish, last delivered] (the Mosquitto figure's definition). */
  readonly publishToSubscribePerSecond: number;
  readonly elapsedMs: number;
  readonly complete: boolean;
  /** Publish → arrival at the subscriber of each message, under this load. */
  readonly publishToDelivery: LatencySummary;
}

export interface FleetBrokerMeasurement extends FleetBrokerRun {
  /** Every run's delivered/s; the figures above are the median run's. */
  readonly runs: readonly number[];
  readonly maxPerSecondPerDevice: number;
  readonly subscriber: string;
}

export interface FleetBrokerOptions {
  readonly generator: LoadGenerator;
  /** Receives every message of the subscriber (QoS 1 on the telemetry filter). */
  readonly recorder: DeliveryRecorder;
  readonly clients: number;
  readonly messagesPerClient: number;
  readonly maxPerSecondPerDevice: number;
  /** Sequence number of the first measured message (after the warm-up). */
  readonly firstSeq: number;
  /** @default 3, as the Mosquitto peer */
  readonly repeats?: number;
  readonly timeoutMs: number;
  /** Stop waiting for deliveries after this long without one. @default 10000 */
  readonly stallMs?: number;
  readonly subscriberDescription: string;
  /**
   * Called before each run with the sequence number it starts at, so the caller can let the Data
   * Service store the previous runs first: each run then starts from the same idle platform.
   */
  readonly beforeRun?: (firstSeq: number) => Promise<void>;
  readonly logger: Logger;
}

/** Waits until `expected` distinct messages arrived, the deadline passed, or nothing arrived for `stallMs`. */
async function waitForDeliveries(recorder: DeliveryRecorder, expected: number, deadline: number, stallMs: number): Promise<void> {
  let last = recorder.snapshot().delivered;
  let lastProgress = Date.now();
  while (Date.now() < deadline) {
    const { delivered } = recorder.snapshot();
    if (delivered >= expected) return;
    if (delivered > last) {
      last = delivered;
      lastProgress = Date.now();
    } else if (Date.now() - lastProgress > stallMs) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** `repeats` measured runs (the caller warmed up); returns the median and the next free sequence number. */
export async function measureFleetBroker(options: FleetBrokerOptions): Promise<{ measurement: FleetBrokerMeasurement; nextSeq: number }> {
  const { generator, recorder, logger } = options;
  const repeats = options.repeats ?? 3;
  const expected = options.clients * options.messagesPerClient;
  const runs: FleetBrokerRun[] = [];
  let seq = options.firstSeq;
  for (let i = 0; i < repeats; i++) {
    await options.beforeRun?.(seq);
    recorder.reset();
    const deadline = Date.now() + options.timeoutMs;
    const load = await generator.run({ firstSeq: seq });
    seq += options.messagesPerClient;
    await waitForDeliveries(recorder, expected, deadline, options.stallMs ?? 10_000);
    const seen = recorder.snapshot();
    const elapsedMs = (seen.lastDeliveredAt || Date.now()) - load.firstPublishAt;
    if (seen.delivered < expected)
      logger.warn({ received: seen.delivered, expected }, 'the Fleet subscriber did not receive every message in time');
    const run: FleetBrokerRun = {
      load,
      expected,
      received: seen.delivered,
      duplicates: seen.duplicates,
      publishToSubscribePerSecond: ratePerSecond(seen.delivered, elapsedMs),
      elapsedMs,
      complete: seen.delivered >= expected,
      publishToDelivery: seen.publishToDelivery,
    };
    logger.info(
      {
        run: i + 1,
        deliveredPerSecond: Math.round(run.publishToSubscribePerSecond),
        pubackPerSecond: Math.round(load.acknowledgedPerSecond),
      },
      'fleet broker run',
    );
    runs.push(run);
  }
  return {
    measurement: {
      ...medianRun(runs),
      runs: runs.map((r) => r.publishToSubscribePerSecond),
      maxPerSecondPerDevice: options.maxPerSecondPerDevice,
      subscriber: options.subscriberDescription,
    },
    nextSeq: seq,
  };
}
