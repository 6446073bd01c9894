/**
 * The one MQTT load generator of the benchmark, used unchanged against Mosquitto and against Fleet:
 * N mqtt.js clients, each publishing QoS 1 messages on its own topic with at most `window`
 * unacknowledged publishes (flow control: a slow broker slows the client instead of piling messages
 * up in memory; NOTES.md: a flood without it killed aedes). Bounded by a message count per client,
 * an optional publishing duration, and a deadline after which it stops waiting for PUBACKs.
 *
 * Connecting is separate from running, so TLS handshakes are not part of the measured span.
 */
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { ratePerSecond } from './stats.ts';

/** Plain TCP (Mosquitto) or mutual TLS with a device certificate (Fleet, as AWS IoT Core). */
export type LoadConnection =
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number }
  | {
      readonly kind: 'tls';
      readonly host: string;
      readonly port: number;
      readonly ca: string;
      readonly cert: string;
      readonly key: string;
    };

export interface LoadClient {
  /** MQTT client id; Fleet requires the device id (AWS IoT policies bind it to the thing name). */
  readonly clientId: string;
  readonly topic: string;
  readonly connection: LoadConnection;
}

export interface LoadGeneratorOptions {
  readonly clients: readonly LoadClient[];
  /** Messages each client publishes. */
  readonly messagesPerClient: number;
  /** Unacknowledged publishes allowed per client. */
  readonly window: number;
  /**
   * Publishes per second per client at most (paced from the run's start, so a late timer catches up
   * in a burst no larger than what the time allows). @default no limit
   */
  readonly maxPerSecondPerClient?: number;
  /** Stop publishing after this long even if the count is not reached. @default no limit */
  readonly durationMs?: number;
  /** Deadline of a run: after it, in-flight publishes are given up and the run reports `timedOut`. */
  readonly timeoutMs: number;
  /** The payload of message `seq` (1-based) of client `clientIndex`. @default a Fleet reading `{ts, seq, temperature}` */
  readonly payload?: (clientIndex: number, seq: number, now: number) => string;
  readonly logger: Logger;
}

export interface LoadResult {
  readonly clients: number;
  readonly window: number;
  readonly published: number;
  readonly acknowledged: number;
  readonly failed: number;
  /** Epoch ms of the first publish. */
  readonly firstPublishAt: number;
  /** Epoch ms of the last PUBACK. */
  readonly lastAckAt: number;
  readonly elapsedMs: number;
  /** Acknowledged publishes per second over [first publish, last PUBACK]. */
  readonly acknowledgedPerSecond: number;
  readonly timedOut: boolean;
}

export interface RunOverrides {
  /** @default the generator's `messagesPerClient` */
  readonly messagesPerClient?: number;
  /** Sequence number of each client's first message. @default 1 */
  readonly firstSeq?: number;
  /** Told each PUBACK as it arrives (the soak counts acknowledged readings per interval and per device). */
  readonly onAcknowledged?: (clientIndex: number, seq: number) => void;
}

export interface LoadGenerator {
  /**
   * Publishes the load; resolves when every publish is acknowledged, failed or given up. Can run
   * again (a warm-up, then the measured run): `firstSeq` keeps sequence numbers distinct.
   */
  run(overrides?: RunOverrides): Promise<LoadResult>;
  close(): Promise<void>;
}

/** A Fleet telemetry reading (packages/core/src/telemetry.ts): device time, sequence and one metric. */
export const fleetReadingPayload = (clientIndex: number, seq: number, now: number): string =>
  JSON.stringify({ ts: now, seq, temperature: 20 + ((clientIndex + seq) % 100) / 10 });

function clientOptions(client: LoadClient): IClientOptions {
  const common: IClientOptions = {
    clientId: client.clientId,
    // MQTT 3.1.1: what AWS IoT Core speaks; the same for both brokers.
    protocolVersion: 4,
    clean: true,
    reconnectPeriod: 0,
    connectTimeout: 15_000,
    keepalive: 60,
  };
  const c = client.connection;
  if (c.kind === 'tcp') return { ...common, protocol: 'mqtt', host: c.host, port: c.port };
  return { ...common, protocol: 'mqtts', host: c.host, port: c.port, ca: c.ca, cert: c.cert, key: c.key, rejectUnauthorized: true };
}

/** Connects every client (not timed) and returns a generator ready to run. */
export async function connectLoadGenerator(options: LoadGeneratorOptions): Promise<LoadGenerator> {
  const { clients, messagesPerClient, window, logger } = options;
  if (clients.length === 0) throw new Error('the load generator needs at least one client, received none');
  if (!(Number.isInteger(messagesPerClient) && messagesPerClient > 0)) {
    throw new Error(`messagesPerClient must be a positive integer, received ${messagesPerClient}`);
  }
  if (!(Number.isInteger(window) && window > 0)) throw new Error(`window must be a positive integer, received ${window}`);
  const payload = options.payload ?? fleetReadingPayload;

  const settled = await Promise.allSettled(clients.map((c) => connectAsync(clientOptions(c))));
  const connected = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failure = settled.findIndex((s) => s.status === 'rejected');
  if (failure >= 0) {
    await Promise.all(connected.map((c) => c.endAsync(true)));
    const reason = (settled[failure] as PromiseRejectedResult).reason as Error;
    throw new Error(
      `load client ${clients[failure]?.clientId} could not connect to ${describe(clients[failure]?.connection)}: ${reason.message}`,
      {
        cause: reason,
      },
    );
  }
  const mqttClients: MqttClient[] = connected;
  logger.debug({ clients: mqttClients.length }, 'load clients connected');
  for (const [i, c] of mqttClients.entries()) {
    // A broker closing a client (e.g. a policy refusal) must show in the log, not only as a stall.
    c.on('close', () => logger.debug({ clientId: clients[i]?.clientId }, 'load client closed'));
    c.on('error', (err) => logger.warn({ err, clientId: clients[i]?.clientId }, 'load client error'));
  }

  async function run(overrides: RunOverrides = {}): Promise<LoadResult> {
    const count = overrides.messagesPerClient ?? messagesPerClient;
    const firstSeq = overrides.firstSeq ?? 1;
    let published = 0;
    let acknowledged = 0;
    let failed = 0;
    let lastAckAt = 0;
    const firstPublishAt = Date.now();
    const publishUntil = options.durationMs === undefined ? Infinity : firstPublishAt + options.durationMs;
    let giveUp: () => void = () => {};
    const deadline = new Promise<'timeout'>((resolve) => {
      const timer = setTimeout(() => resolve('timeout'), options.timeoutMs);
      giveUp = () => clearTimeout(timer);
    });
    let timedOut = false;

    const intervalMs = options.maxPerSecondPerClient ? 1000 / options.maxPerSecondPerClient : 0;
    const runClient = (client: MqttClient, index: number) =>
      new Promise<void>((resolve) => {
        const topic = clients[index]!.topic;
        let sent = 0;
        let inFlight = 0;
        let closed = false;
        let paceTimer: NodeJS.Timeout | undefined;
        const finish = () => {
          client.removeListener('close', onClose);
          clearTimeout(paceTimer);
          resolve();
        };
        // A broker closing the connection (AWS IoT does so for a refused or throttled publish)
        // never acknowledges what was in flight: count it failed instead of waiting for the deadline.
        const onClose = () => {
          closed = true;
          failed += inFlight;
          inFlight = 0;
          finish();
        };
        client.once('close', onClose);
        const exhausted = () =>
          closed || timedOut || sent >= count || Date.now() >= publishUntil || client.disconnecting || !client.connected;
        const pump = () => {
          while (inFlight < window && !exhausted()) {
            if (intervalMs > 0) {
              const due = firstPublishAt + sent * intervalMs;
              const wait = due - Date.now();
              if (wait > 0) {
                if (paceTimer === undefined) {
                  paceTimer = setTimeout(() => {
                    paceTimer = undefined;
                    pump();
                  }, wait);
                }
                return;
              }
            }
            const seq = firstSeq + sent;
            sent += 1;
            inFlight += 1;
            published += 1;
            client.publish(topic, payload(index, seq, Date.now()), { qos: 1 }, (err) => {
              if (closed) return;
              inFlight -= 1;
              if (err) failed += 1;
              else {
                acknowledged += 1;
                lastAckAt = Date.now();
                overrides.onAcknowledged?.(index, seq);
              }
              pump();
            });
          }
          if (inFlight === 0 && exhausted() && !closed) finish();
        };
        pump();
      });

    const outcome = await Promise.race([Promise.all(mqttClients.map(runClient)).then(() => 'done' as const), deadline]);
    giveUp();
    if (outcome === 'timeout') {
      timedOut = true;
      logger.warn({ published, acknowledged, timeoutMs: options.timeoutMs }, 'load run hit its deadline; in-flight publishes given up');
    }
    const end = lastAckAt || Date.now();
    return {
      clients: mqttClients.length,
      window,
      published,
      acknowledged,
      failed,
      firstPublishAt,
      lastAckAt: end,
      elapsedMs: end - firstPublishAt,
      acknowledgedPerSecond: ratePerSecond(acknowledged, end - firstPublishAt),
      timedOut,
    };
  }

  return {
    run,
    async close() {
      // force: a client still waiting for PUBACKs after a timeout must not hold the process open.
      await Promise.all(mqttClients.map((c) => c.endAsync(true)));
    },
  };
}

function describe(connection: LoadConnection | undefined): string {
  if (!connection) return 'nowhere';
  return `${connection.kind === 'tls' ? 'mqtts' : 'mqtt'}://${connection.host}:${connection.port}`;
}
