/**
 * Helpers of the stand-in fault scenario: the launcher's live status (`GET /_fleet/status`),
 * `kill -9` of a supervised stand-in until it was replaced, devices publishing with QoS 1 while
 * recording what IoT Core acknowledged, and a recorder of the services' readiness answers.
 */
import { connectAsync } from 'mqtt';
import { localStatusPath, topics, type HealthReport, type LocalStatus } from '@fleet/core';
import type { PlatformProcess } from '../platform-process.ts';
import type { RegisteredDevice } from '../fleet-user.ts';

export async function platformStatus(platform: PlatformProcess): Promise<LocalStatus> {
  const res = await fetch(new URL(localStatusPath, platform.endpoints.awsEndpoint), { signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new Error(`GET ${localStatusPath} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as LocalStatus;
}

async function waitFor(what: string, condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Kills the stand-in with SIGKILL `times` times, each time as soon as its replacement is up: the
 * supervisor's backoff doubles (0.5 s, 1 s, 2 s, …), so the last outage outlasts the services'
 * readiness cache and their health checks must see it. Resolves once the last replacement is up,
 * with the pids that were killed.
 */
export async function killRepeatedly(platform: PlatformProcess, name: string, times: number): Promise<number[]> {
  const killed: number[] = [];
  for (let i = 0; i < times; i++) {
    const before = (await platformStatus(platform)).components[name];
    if (!before?.pid || before.state !== 'up') throw new Error(`${name} is not up: ${JSON.stringify(before)}`);
    process.kill(before.pid, 'SIGKILL');
    killed.push(before.pid);
    await waitFor(
      `${name} replaced after kill ${i + 1}`,
      async () => {
        const now = (await platformStatus(platform)).components[name];
        return now?.state === 'up' && now.restarts === before.restarts + 1;
      },
      90_000,
    );
  }
  return killed;
}

export interface Publisher {
  readonly deviceId: string;
  /** Seqs handed to the client, in order. */
  readonly sent: number[];
  /** Seqs whose PUBACK arrived: what the platform promised to store. */
  readonly acked: number[];
  readonly errors: string[];
  /** Stops after the publish in flight and disconnects. */
  stop(): Promise<void>;
}

/** Device time of a reading: 20 readings a second of device time from `base`. */
export const readingTs = (base: number, seq: number) => base + seq * 50;

/**
 * Publishes `{ ts, seq, temperature }` with QoS 1 at `ratePerSecond` (AWS IoT allows 100 per
 * second per connection) until stopped, recording every acknowledgement.
 */
export async function startPublisher(options: {
  readonly platform: PlatformProcess;
  readonly device: RegisteredDevice;
  readonly ca: string;
  readonly base: number;
  readonly ratePerSecond: number;
}): Promise<Publisher> {
  const deviceId = options.device.device.deviceId;
  const client = await connectAsync({
    host: options.platform.endpoints.mqttHost,
    port: options.platform.endpoints.mqttPort,
    protocol: 'mqtts',
    ca: options.ca,
    cert: options.device.credentials.certificatePem,
    key: options.device.credentials.privateKey,
    clientId: deviceId,
    reconnectPeriod: 0,
  });
  const sent: number[] = [];
  const acked: number[] = [];
  const errors: string[] = [];
  let stopping = false;
  const started = Date.now();
  const loop = (async () => {
    for (let seq = 1; !stopping; seq++) {
      sent.push(seq);
      try {
        const payload = JSON.stringify({ ts: readingTs(options.base, seq), seq, temperature: 20 + (seq % 10) });
        await client.publishAsync(topics.telemetry(deviceId), payload, { qos: 1 });
        acked.push(seq);
      } catch (err) {
        errors.push((err as Error).message);
        return;
      }
      const ahead = started + (seq * 1000) / options.ratePerSecond - Date.now();
      if (ahead > 0) await new Promise((resolve) => setTimeout(resolve, ahead));
    }
  })();
  return {
    deviceId,
    sent,
    acked,
    errors,
    async stop() {
      stopping = true;
      await loop;
      await client.endAsync();
    },
  };
}

export interface HealthSample {
  readonly path: string;
  readonly at: number;
  readonly status: number;
  /** Names of the failed checks in the service's `HealthReport`. */
  readonly failed: readonly string[];
}

/** Asks each readiness path through the gateway every `everyMs`, recording answers until stopped. */
export function recordHealth(gatewayUrl: string, paths: readonly string[], everyMs = 200) {
  const samples: HealthSample[] = [];
  let stopping = false;
  const sample = async (path: string): Promise<HealthSample> => {
    const at = Date.now();
    try {
      const res = await fetch(new URL(path, gatewayUrl), { signal: AbortSignal.timeout(5_000) });
      const text = await res.text();
      const report = /^\s*\{/.test(text) ? (JSON.parse(text) as Partial<HealthReport>) : {};
      const failed = (report.checks ?? []).filter((c) => c.status !== 'ok').map((c) => c.name);
      return { path, at, status: res.status, failed };
    } catch (err) {
      return { path, at, status: 0, failed: [(err as Error).message] };
    }
  };
  const loop = (async () => {
    while (!stopping) {
      samples.push(...(await Promise.all(paths.map(sample))));
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    samples,
    /** Resolves once every path answered 200 in one round after `since`. */
    async allReadySince(since: number, timeoutMs: number): Promise<void> {
      await waitFor(
        `every readiness path to answer 200 after ${new Date(since).toISOString()}`,
        async () => {
          const latest = paths.map((p) => samples.filter((s) => s.path === p && s.at > since).at(-1));
          return latest.every((s) => s?.status === 200);
        },
        timeoutMs,
      );
    },
    async stop() {
      stopping = true;
      await loop;
    },
  };
}
