/**
 * The publish→stored latency probe: one device publishing a reading every `intervalMs` during the
 * load, and a poller asking the Data Service when each one is stored.
 */
import type { MqttClient } from 'mqtt';
import { topics } from '@fleet/core';
import type { Logger } from 'pino';
import type { DataServiceReader } from './data-service-reader.ts';

export interface Probe {
  /** Publishes no further probe readings. */
  stopPublishing(): void;
  /** The latencies seen since the last call (or the start): the soak's per-interval figures. */
  takeLatencies(): number[];
  /** Stops publishing, waits up to `graceMs` for pending probes, and returns the latencies seen. */
  stop(graceMs: number): Promise<{ published: number; latenciesMs: number[] }>;
}

/**
 * One reading every `intervalMs` from the probe device; a poller asks the Data Service for the raw
 * readings between the oldest and newest pending probe. Latency = response arrival − publish time:
 * an upper bound, over-stating by at most one poll interval plus one request.
 */
export function startProbe(deps: {
  client: MqttClient;
  deviceId: string;
  reader: DataServiceReader;
  intervalMs: number;
  pollMs: number;
  logger: Logger;
}): Probe {
  const { client, deviceId, reader } = deps;
  const pending = new Map<number, number>(); // seq → publishedAt (also the reading's ts)
  const latenciesMs: number[] = [];
  let taken = 0;
  let published = 0;
  let seq = 0;
  let publishing = true;
  let polling = true;

  const timer = setInterval(() => {
    if (!publishing) return;
    seq += 1;
    const ts = Date.now();
    pending.set(seq, ts);
    published += 1;
    client.publish(topics.telemetry(deviceId), JSON.stringify({ ts, seq, temperature: 21 }), { qos: 1 }, (err) => {
      if (err) deps.logger.warn({ err, seq }, 'probe publish failed');
    });
  }, deps.intervalMs);

  const poller = (async () => {
    while (polling) {
      if (pending.size > 0) {
        const times = [...pending.values()];
        try {
          const readings = await reader.raw(deviceId, Math.min(...times), Math.max(...times));
          const now = Date.now();
          for (const r of readings) {
            const publishedAt = pending.get(r.seq);
            if (publishedAt !== undefined && r.ts === publishedAt) {
              latenciesMs.push(now - publishedAt);
              pending.delete(r.seq);
            }
          }
        } catch (err) {
          deps.logger.warn({ err }, 'probe poll failed');
        }
      }
      await new Promise((r) => setTimeout(r, deps.pollMs));
    }
  })();

  const stopPublishing = () => {
    publishing = false;
    clearInterval(timer);
  };
  return {
    stopPublishing,
    takeLatencies() {
      const fresh = latenciesMs.slice(taken);
      taken = latenciesMs.length;
      return fresh;
    },
    async stop(graceMs) {
      stopPublishing();
      const until = Date.now() + graceMs;
      while (pending.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, deps.pollMs));
      polling = false;
      await poller;
      if (pending.size > 0) deps.logger.warn({ unstored: pending.size }, 'probe readings not stored within the grace period');
      return { published, latenciesMs };
    },
  };
}
