/**
 * The reference peer: Debian's Mosquitto on 127.0.0.1 with a generated config (no persistence,
 * anonymous clients), and one subscriber on Fleet's telemetry filter counting what arrives. Its
 * publish→subscribe rate is the yardstick Fleet's end-to-end ingest is compared with.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { topics } from '@fleet/core';
import type { Logger } from 'pino';
import { freePort } from '@fleet/e2e';
import { connectLoadGenerator, type LoadResult } from './load-generator.ts';
import { ratePerSecond } from './stats.ts';

/** Where Debian's `mosquitto` package installs the broker (`.ci/run` installs it in CI). */
export const defaultMosquittoPath = '/usr/sbin/mosquitto';

export interface MosquittoBroker {
  readonly host: string;
  readonly port: number;
  /** The MQTT-over-WebSocket listener, when asked for (the browser path's peer). */
  readonly webSocketPort: number | undefined;
  readonly version: string;
  stop(): Promise<void>;
}

/**
 * The broker's config. `max_queued_messages 0` lifts the per-client queue bound (1000 by default),
 * so a subscriber that falls behind is queued for, not silently dropped from: the benchmark counts
 * deliveries, and a drop would flatter the rate. Its size is bounded by the run's message count.
 * `webSocketPort` adds a plain MQTT-over-WebSocket listener (Debian's build has libwebsockets);
 * `allow_anonymous` and the limits are global (no `per_listener_settings`), so they hold on both.
 */
export function mosquittoConfig(port: number, webSocketPort?: number): string {
  return [
    `listener ${port} 127.0.0.1`,
    ...(webSocketPort === undefined ? [] : [`listener ${webSocketPort} 127.0.0.1`, 'protocol websockets']),
    'allow_anonymous true',
    'persistence false',
    'max_queued_messages 0',
    'max_inflight_messages 0',
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    '',
  ].join('\n');
}

/** Starts Mosquitto on a free port and resolves once it accepts MQTT connections. */
export async function startMosquitto(options: {
  logger: Logger;
  path?: string;
  startTimeoutMs?: number;
  /** Also listen for MQTT over WebSocket. @default false */
  webSocket?: boolean;
}): Promise<MosquittoBroker> {
  const path = options.path ?? defaultMosquittoPath;
  const dir = await mkdtemp(join(tmpdir(), 'fleet-bench-mosquitto-'));
  const port = await freePort();
  const webSocketPort = options.webSocket ? await freePort() : undefined;
  const configFile = join(dir, 'mosquitto.conf');
  await writeFile(configFile, mosquittoConfig(port, webSocketPort));

  let output = '';
  const child: ChildProcess = spawn(path, ['-c', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const spawnFailed = new Promise<Error>((resolve) => child.once('error', resolve));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 10_000);
  for (;;) {
    const probe = await Promise.race([
      connectAsync({ host: '127.0.0.1', port, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 1000 }).then(
        (c) => c,
        () => undefined,
      ),
      spawnFailed,
    ]);
    if (probe instanceof Error) {
      await rm(dir, { recursive: true, force: true });
      throw new Error(`cannot start ${path} (${probe.message}); install Debian's mosquitto package (apt-get install mosquitto)`, {
        cause: probe,
      });
    }
    if (probe) {
      await probe.endAsync();
      break;
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`mosquitto did not accept connections on 127.0.0.1:${port} (exit code ${child.exitCode}):\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const version = await mosquittoVersion(path);
  options.logger.info({ port, webSocketPort, version }, 'mosquitto started');
  return { host: '127.0.0.1', port, webSocketPort, version, stop };
}

async function mosquittoVersion(path: string): Promise<string> {
  // `mosquitto -h` prints "mosquitto version 2.0.11" and exits non-zero.
  const child = spawn(path, ['-h'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout?.on('data', (c: Buffer) => (text += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (text += c.toString()));
  await new Promise((resolve) => child.once('close', resolve));
  return /version (\S+)/.exec(text)?.[1] ?? 'unknown';
}

/** Counts messages a subscriber receives and when the last one arrived. */
export interface CountingSubscriber {
  readonly received: () => number;
  readonly lastReceivedAt: () => number;
  /** Starts counting from zero again (after a warm-up). */
  reset(): void;
  /** Resolves when `count` messages arrived, or after `timeoutMs` (check `received()`). */
  waitFor(count: number, timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

export async function subscribeCounting(options: {
  host: string;
  port: number;
  filter: string;
  clientId: string;
}): Promise<CountingSubscriber> {
  const client: MqttClient = await connectAsync({
    host: options.host,
    port: options.port,
    clientId: options.clientId,
    protocolVersion: 4,
    clean: true,
    reconnectPeriod: 0,
  });
  // QoS 1 on both legs: at-least-once, as Fleet's ingest path (IoT → SQS → Data Service) is.
  await client.subscribeAsync(options.filter, { qos: 1 });
  let received = 0;
  let lastReceivedAt = 0;
  let waiter: { count: number; resolve: () => void } | undefined;
  client.on('message', () => {
    received += 1;
    lastReceivedAt = Date.now();
    if (waiter && received >= waiter.count) waiter.resolve();
  });
  return {
    received: () => received,
    lastReceivedAt: () => lastReceivedAt,
    reset() {
      received = 0;
      lastReceivedAt = 0;
    },
    async waitFor(count, timeoutMs) {
      if (received >= count) return;
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        waiter = { count, resolve };
        timer = setTimeout(resolve, timeoutMs);
      });
      clearTimeout(timer);
      waiter = undefined;
    },
    close: () => client.endAsync(true),
  };
}

/** One measured run against Mosquitto. */
export interface MosquittoRun {
  readonly load: LoadResult;
  readonly expected: number;
  readonly received: number;
  /** Messages the subscriber received per second over [first publish, last message received]. */
  readonly publishToSubscribePerSecond: number;
  readonly elapsedMs: number;
  readonly complete: boolean;
}

/** The median run (by publish→subscribe rate) of `repeats` runs, and every run's rate. */
export interface MosquittoMeasurement extends MosquittoRun {
  readonly brokerVersion: string;
  readonly runs: readonly number[];
}

/** The run with the median rate; an incomplete run ranks lowest (its rate is not comparable). */
export function medianRun<T extends { readonly publishToSubscribePerSecond: number; readonly complete: boolean }>(runs: readonly T[]): T {
  if (runs.length === 0) throw new Error('medianRun needs at least one run, received none');
  const rank = (r: T) => (r.complete ? r.publishToSubscribePerSecond : -1);
  const sorted = [...runs].sort((a, b) => rank(a) - rank(b));
  return sorted[Math.floor((sorted.length - 1) / 2)] as T;
}

/**
 * Runs the load generator against a fresh Mosquitto over plain TCP, the subscriber counting, and
 * reports the publish→subscribe rate of the median of `repeats` runs (a run of a few thousand
 * messages lasts well under a second, so one run is at the mercy of a shared machine's scheduler).
 * The broker is stopped before returning, whatever happens.
 */
export async function measureMosquitto(options: {
  clients: number;
  messagesPerClient: number;
  window: number;
  timeoutMs: number;
  /** @default 3 */
  repeats?: number;
  /** Messages per client published before the measured runs, so JIT warm-up is not measured. @default 20 */
  warmupPerClient?: number;
  logger: Logger;
  mosquittoPath?: string;
}): Promise<MosquittoMeasurement> {
  const { logger } = options;
  const repeats = options.repeats ?? 3;
  const broker = await startMosquitto({ logger, path: options.mosquittoPath });
  try {
    const subscriber = await subscribeCounting({
      host: broker.host,
      port: broker.port,
      filter: topics.telemetryFilter,
      clientId: 'bench-subscriber',
    });
    try {
      const generator = await connectLoadGenerator({
        clients: Array.from({ length: options.clients }, (_, i) => {
          const deviceId = `bench-device-${i + 1}`;
          return {
            clientId: deviceId,
            topic: topics.telemetry(deviceId),
            connection: { kind: 'tcp', host: broker.host, port: broker.port } as const,
          };
        }),
        messagesPerClient: options.messagesPerClient,
        window: options.window,
        timeoutMs: options.timeoutMs,
        logger,
      });
      try {
        const warmup = options.warmupPerClient ?? 20;
        if (warmup > 0) {
          await generator.run({ messagesPerClient: warmup });
          await subscriber.waitFor(warmup * options.clients, 10_000);
        }
        const runs: MosquittoRun[] = [];
        for (let i = 0; i < repeats; i++) {
          subscriber.reset();
          const started = Date.now();
          const load = await generator.run({ firstSeq: warmup + 1 + i * options.messagesPerClient });
          const expected = options.clients * options.messagesPerClient;
          await subscriber.waitFor(expected, Math.max(1000, options.timeoutMs - (Date.now() - started)));
          const received = subscriber.received();
          const elapsedMs = (subscriber.lastReceivedAt() || Date.now()) - load.firstPublishAt;
          if (received < expected) logger.warn({ received, expected }, 'the Mosquitto subscriber did not receive every message in time');
          const run = {
            load,
            expected,
            received,
            publishToSubscribePerSecond: ratePerSecond(received, elapsedMs),
            elapsedMs,
            complete: received >= expected,
          };
          logger.debug({ run: i + 1, perSecond: Math.round(run.publishToSubscribePerSecond) }, 'mosquitto run');
          runs.push(run);
        }
        return { brokerVersion: broker.version, ...medianRun(runs), runs: runs.map((r) => r.publishToSubscribePerSecond) };
      } finally {
        await generator.close();
      }
    } finally {
      await subscriber.close();
    }
  } finally {
    await broker.stop();
  }
}
