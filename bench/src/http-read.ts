/**
 * An authenticated API read next to a bare Fastify "hello world", measured by the same tool
 * (autocannon) with the same connections and duration: the API figure includes the gateway (the
 * local API Gateway with its Cognito JWT authorizer), the API Service's own token check, the device
 * registry scan and the Data Service's device states; the peer includes nothing but Fastify.
 */
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import Fastify from 'fastify';

export interface HttpReadOptions {
  readonly connections: number;
  readonly durationSeconds: number;
}

export interface HttpReadMeasurement {
  readonly url: string;
  readonly requests: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Answers other than 2xx, and connection errors or timeouts: a figure with either is not a read rate. */
  readonly non2xx: number;
  readonly errors: number;
}

/** Runs autocannon against `url` (GET) for the duration, with `headers` on every request. */
export async function measureHttpRead(
  url: string,
  headers: Readonly<Record<string, string>>,
  options: HttpReadOptions,
): Promise<HttpReadMeasurement> {
  const result = await autocannon({ url, headers: { ...headers }, connections: options.connections, duration: options.durationSeconds });
  return {
    url,
    requests: result.requests.total,
    requestsPerSecond: result.requests.total / options.durationSeconds,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

/** The peer: Fastify with one JSON route on a free loopback port. */
export async function startBareFastify(): Promise<{ readonly url: string; close(): Promise<void> }> {
  const app = Fastify({ logger: false });
  app.get('/', () => ({ hello: 'world' }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => app.close() };
}
