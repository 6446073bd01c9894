import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../test-support/test-app.ts';

/** A Data Service answering fixed JSON, recording what it was asked. */
let data: FastifyInstance;
let dataUrl: string;
const seen: { url: string; authorization: string | undefined }[] = [];
let t: TestApp;
let unreachable: TestApp;

beforeAll(async () => {
  data = Fastify();
  data.addHook('onRequest', async (req) => void seen.push({ url: req.url, authorization: req.headers.authorization }));
  data.get('/data/devices/:id/latest', async (req, reply) => {
    const { id } = req.params as { id: string };
    if (id === 'unknown') return reply.code(404).send({ code: 'DeviceNotFound', message: 'no readings for unknown' });
    if (id === 'broken') return reply.code(500).send({ code: 'InternalError', message: 'table fleet-telemetry throttled' });
    return { deviceId: id, ts: 1_732_440_000_000, seq: 3, values: { temperature: 21.5 } };
  });
  data.get('/data/devices/:id/readings', async (req) => ({
    deviceId: (req.params as { id: string }).id,
    series: { temperature: [[1, 2]] },
    query: req.query,
  }));
  data.get('/data/devices/:id/readings/raw', async (req, reply) => {
    const q = req.query as Record<string, string>;
    if (q['cursor'] === 'bad') return reply.code(400).send({ code: 'ValidationError', message: 'cursor is not valid' });
    if (q['cursor'] === 'odd') return reply.code(409).send({ code: 'SomethingElse', message: 'a code outside the closed set' });
    return { items: [{ ts: 1, seq: 1, values: { t: 1 } }], nextCursor: 'abc' };
  });
  dataUrl = await data.listen({ port: 0, host: '127.0.0.1' });
  t = await startTestApp({ config: { dataServiceUrl: dataUrl } });
  // Port 9 (discard) on loopback: nothing listens there, so the connection is refused.
  unreachable = await startTestApp({ config: { dataServiceUrl: 'http://127.0.0.1:9' } });
});
afterAll(async () => {
  await t.close();
  await unreachable.close();
  await data.close();
});

describe('telemetry routes', () => {
  it("relays the Data Service's latest reading with the caller's token", async () => {
    const auth = await t.bearer({ groups: ['viewer'] });
    const res = await t.app.inject({ method: 'GET', url: '/api/devices/dev-1/telemetry/latest', headers: { authorization: auth } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json()).toEqual({ deviceId: 'dev-1', ts: 1_732_440_000_000, seq: 3, values: { temperature: 21.5 } });
    expect(seen.at(-1)).toEqual({ url: '/data/devices/dev-1/latest', authorization: auth });
  });

  it('passes the query string through unchanged', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/devices/dev-1/telemetry?from=2026-01-01T00:00:00Z&to=1732440000000&maxPoints=200&metrics=temperature,humidity',
      headers: { authorization: await t.bearer() },
    });
    expect(res.statusCode).toBe(200);
    expect(seen.at(-1)?.url).toBe(
      '/data/devices/dev-1/readings?from=2026-01-01T00:00:00Z&to=1732440000000&maxPoints=200&metrics=temperature,humidity',
    );
    expect(res.json().query).toEqual({
      from: '2026-01-01T00:00:00Z',
      to: '1732440000000',
      maxPoints: '200',
      metrics: 'temperature,humidity',
    });
    const raw = await t.app.inject({
      method: 'GET',
      url: '/api/devices/dev-1/telemetry/raw?limit=10&cursor=xyz',
      headers: { authorization: await t.bearer() },
    });
    expect(raw.json()).toEqual({ items: [{ ts: 1, seq: 1, values: { t: 1 } }], nextCursor: 'abc' });
    expect(seen.at(-1)?.url).toBe('/data/devices/dev-1/readings/raw?limit=10&cursor=xyz');
  });

  it("maps the Data Service's 4xx to the same status with its code and message, in the one closed set", async () => {
    const auth = await t.bearer();
    const notFound = await t.app.inject({ method: 'GET', url: '/api/devices/unknown/telemetry/latest', headers: { authorization: auth } });
    expect(notFound.statusCode).toBe(404);
    expect(notFound.json()).toEqual({ code: 'DeviceNotFound', message: 'no readings for unknown' });
    const badCursor = await t.app.inject({
      method: 'GET',
      url: '/api/devices/dev-1/telemetry/raw?cursor=bad',
      headers: { authorization: auth },
    });
    expect(badCursor.statusCode).toBe(400);
    expect(badCursor.json()).toEqual({ code: 'ValidationError', message: 'cursor is not valid' });
    const odd = await t.app.inject({ method: 'GET', url: '/api/devices/dev-1/telemetry/raw?cursor=odd', headers: { authorization: auth } });
    expect(odd.statusCode).toBe(409);
    expect(odd.json()).toEqual({ code: 'Conflict', message: 'a code outside the closed set' });
  });

  it('refuses unknown or repeated query parameters and oversized values before relaying', async () => {
    const before = seen.length;
    const auth = await t.bearer();
    for (const query of [
      'colour=red',
      'maxPoints=1&maxPoints=2',
      `metrics=${'a'.repeat(1025)}`,
      'maxPoints=2001',
      `cursor=${'c'.repeat(65)}`,
    ]) {
      const res = await t.app.inject({ method: 'GET', url: `/api/devices/dev-1/telemetry?${query}`, headers: { authorization: auth } });
      const raw = await t.app.inject({ method: 'GET', url: `/api/devices/dev-1/telemetry/raw?${query}`, headers: { authorization: auth } });
      expect([res.statusCode, raw.statusCode], query).toEqual([400, 400]);
      expect(res.json().code, query).toBe('ValidationError');
    }
    expect(seen.length).toBe(before);
  });

  it('answers 502 DataServiceUnavailable for a Data Service 5xx, hiding its details', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/devices/broken/telemetry/latest',
      headers: { authorization: await t.bearer() },
    });
    expect(res.statusCode).toBe(502);
    expect(res.json()).toEqual({ code: 'DataServiceUnavailable', message: 'The data service is unavailable, try again later' });
    expect(res.body).not.toContain('throttled');
  });

  it('answers 502 DataServiceUnavailable when the Data Service is unreachable', async () => {
    const res = await unreachable.app.inject({
      method: 'GET',
      url: '/api/devices/dev-1/telemetry/latest',
      headers: { authorization: await unreachable.bearer() },
    });
    expect(res.statusCode).toBe(502);
    expect(res.json().code).toBe('DataServiceUnavailable');
  });

  it('validates before relaying: 400 for a bad maxPoints or device id, 401 without a token', async () => {
    const before = seen.length;
    const auth = await t.bearer();
    const bad = await t.app.inject({ method: 'GET', url: '/api/devices/dev-1/telemetry?maxPoints=0', headers: { authorization: auth } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toBe('querystring/maxPoints must be >= 1');
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/devices/a.b/telemetry/latest', headers: { authorization: auth } })).statusCode,
    ).toBe(400);
    expect((await t.app.inject({ method: 'GET', url: '/api/devices/dev-1/telemetry/latest' })).statusCode).toBe(401);
    expect(seen.length).toBe(before);
  });
});
