/**
 * Publish → live subscriber latency under load, the same for Fleet and its Mosquitto peer: a probe
 * device publishes one reading every `intervalMs` (QoS 1, as a device does) while the load
 * generator runs its load again and again, and a subscriber of the probe's telemetry topic — the
 * browser's live chart, or its stand-in on the peer — records when each reading arrives.
 *
 * The load runs for as long as the probe publishes, so every sample is taken under load; once the
 * probe has published `probes` readings the load finishes its current round and the subscriber gets
 * `graceMs` for readings still on their way.
 */
import type { MqttClient } from 'mqtt';
import { topics } from '@fleet/core';
import type { Logger } from 'pino';
import { createDeliveryRecorder } from './delivery-recorder.ts';
import type { LoadGenerator } from './load-generator.ts';
import { ratePerSecond, type LatencySummary } from './stats.ts';

export interface LiveLatencyOptions {
  readonly generator: LoadGenerator;
  /** Sequence number of the load's first message (after earlier phases on the same devices). */
  readonly firstSeq: number;
  readonly probeClient: MqttClient;
  readonly probeDeviceId: string;
  /** Connected and subscribed to the probe's telemetry topic by the caller, the way the real subscriber does it. */
  readonly subscriber: MqttClient;
  readonly probes: number;
  readonly intervalMs: number;
  /** Waiting for readings still on their way once the probe stopped. @default 5000 */
  readonly graceMs?: number;
  readonly logger: Logger;
}

export interface LiveLatencyMeasurement {
  readonly probeIntervalMs: number;
  readonly probesPublished: number;
  /** Distinct probe readings the subscriber received. */
  readonly probesReceived: number;
  readonly duplicates: number;
  /** Publish → arrival at the subscriber, of each probe reading received. */
  readonly latency: LatencySummary;
  /** The load that ran meanwhile, over every round. */
  readonly load: {
    readonly rounds: number;
    readonly published: number;
    readonly acknowledged: number;
    readonly failed: number;
    readonly acknowledgedPerSecond: number;
  };
  /** Sequence number after the last load message (for a later phase on the same devices). */
  readonly nextSeq: number;
}

export async function measureLiveLatency(options: LiveLatencyOptions): Promise<LiveLatencyMeasurement> {
  const { generator, probeClient, probeDeviceId, subscriber, logger } = options;
  const probeTopic = topics.telemetry(probeDeviceId);
  const recorder = createDeliveryRecorder();
  const onMessage = (topic: string, payload: Buffer) => {
    if (topic === probeTopic) recorder.record(topic, payload, Date.now());
  };
  subscriber.on('message', onMessage);

  let published = 0;
  const probeDone = new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      published += 1;
      const ts = Date.now();
      probeClient.publish(probeTopic, JSON.stringify({ ts, seq: published, temperature: 21 }), { qos: 1 }, (err) => {
        if (err) logger.warn({ err, seq: published }, 'live probe publish failed');
      });
      if (published >= options.probes) {
        clearInterval(timer);
        resolve();
      }
    }, options.intervalMs);
  });
  let probing = true;
  void probeDone.then(() => (probing = false));

  const loadStart = Date.now();
  let seq = options.firstSeq;
  let rounds = 0;
  let loadPublished = 0;
  let acknowledged = 0;
  let failed = 0;
  let lastAckAt = loadStart;
  try {
    while (probing) {
      const round = await generator.run({ firstSeq: seq });
      rounds += 1;
      // Past every sequence number of the round (the sum over clients is more than each client used).
      seq += round.published;
      loadPublished += round.published;
      acknowledged += round.acknowledged;
      failed += round.failed;
      lastAckAt = Math.max(lastAckAt, round.lastAckAt);
      // A round that could not publish (every client closed) would spin: the probe still runs alone.
      if (round.published === 0) {
        logger.warn('the load generator published nothing; the live probe runs without load');
        break;
      }
    }
    await probeDone;
    const until = Date.now() + (options.graceMs ?? 5000);
    while (recorder.snapshot().delivered < published && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  } finally {
    subscriber.removeListener('message', onMessage);
  }
  const seen = recorder.snapshot();
  if (seen.delivered < published) logger.warn({ received: seen.delivered, published }, 'live probe readings missing at the subscriber');
  return {
    probeIntervalMs: options.intervalMs,
    probesPublished: published,
    probesReceived: seen.delivered,
    duplicates: seen.duplicates,
    latency: seen.publishToDelivery,
    load: {
      rounds,
      published: loadPublished,
      acknowledged,
      failed,
      acknowledgedPerSecond: ratePerSecond(acknowledged, lastAckAt - loadStart),
    },
    nextSeq: seq,
  };
}
