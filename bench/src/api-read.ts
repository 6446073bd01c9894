/**
 * Authenticated API read vs a bare Fastify server (issue 9): the whole platform as a separate process,
 * an operator with `devices` registered devices, and autocannon on `GET /api/devices` through the
 * gateway with the user's access token, then on one device's `GET /api/devices/:id`; then the same
 * autocannon run on a bare Fastify hello world, while the platform is still up and idle, so that
 * both see the same machine.
 */
import type { Logger } from 'pino';
import { mapWithLimit } from '@fleet/core';
import { createUser, startPlatformProcess } from '@fleet/e2e';
import { measureHttpRead, startBareFastify, type HttpReadMeasurement, type HttpReadOptions } from './http-read.ts';
import { cpuBetween, sampleTreeCpu } from './process-cpu.ts';

export interface ApiReadOptions extends HttpReadOptions {
  /** Devices in the registry the list answers. */
  readonly devices: number;
  readonly logger: Logger;
}

export interface ApiReadComparison {
  readonly devices: number;
  readonly connections: number;
  readonly durationSeconds: number;
  readonly api: PlatformRead;
  /** One device's `GET /api/devices/:id` (its registry item and its state, read for every request). */
  readonly device: PlatformRead;
  readonly fastify: HttpReadMeasurement;
}

/** A read of the platform, with the CPU each of its processes spent per request during the run. */
export interface PlatformRead extends HttpReadMeasurement {
  /** ms of CPU per request answered, by process (`launcher`, `api service`, …); the load generator is not in it. */
  readonly cpuMsPerRequest: Readonly<Record<string, number>>;
}

async function measurePlatformRead(
  rootPid: number,
  url: string,
  headers: Readonly<Record<string, string>>,
  options: HttpReadOptions,
): Promise<PlatformRead> {
  const before = await sampleTreeCpu(rootPid);
  const read = await measureHttpRead(url, headers, options);
  const used = cpuBetween(before, await sampleTreeCpu(rootPid));
  const perRequest = Object.fromEntries(Object.entries(used).map(([label, ms]) => [label, ms / Math.max(1, read.requests)]));
  return { ...read, cpuMsPerRequest: perRequest };
}

export async function measureApiRead(options: ApiReadOptions): Promise<ApiReadComparison> {
  const { devices, connections, durationSeconds, logger } = options;
  const platform = await startPlatformProcess({ startTimeoutMs: 120_000 });
  try {
    const user = await createUser(platform);
    const registered = await mapWithLimit(
      Array.from({ length: devices }, (_, i) => i),
      4,
      (i) => user.api.registerDevice(`bench read ${i}`),
    );
    const signedIn = { authorization: `Bearer ${user.tokens.accessToken}` };
    logger.info({ devices, connections, durationSeconds }, 'measuring GET /api/devices through the gateway');
    const rootPid = platform.child.pid ?? -1;
    const api = await measurePlatformRead(rootPid, `${platform.endpoints.gatewayUrl}/api/devices`, signedIn, {
      connections,
      durationSeconds,
    });
    const one = registered[0]?.device.deviceId;
    if (one === undefined) throw new Error('the single-device read needs at least one device (--devices)');
    logger.info({ deviceId: one }, 'measuring GET /api/devices/:id through the gateway');
    const device = await measurePlatformRead(rootPid, `${platform.endpoints.gatewayUrl}/api/devices/${encodeURIComponent(one)}`, signedIn, {
      connections,
      durationSeconds,
    });
    logger.info('measuring a bare Fastify hello world');
    const peer = await startBareFastify();
    try {
      const fastify = await measureHttpRead(peer.url, {}, { connections, durationSeconds });
      return { devices, connections, durationSeconds, api, device, fastify };
    } finally {
      await peer.close();
    }
  } finally {
    await platform.stop();
  }
}
