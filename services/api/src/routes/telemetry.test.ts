import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { devicesTable } from '@fleet/core';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asCaller } from '../test-support/as-caller.ts';
import { startTestApp, type TestApp } from '../test-support/test-app.ts';

/** A Data Service answering fixed JSON, recording what it was asked. */
let data: FastifyInstance;
let dataUrl: string;
const seen: { url: string; authorization: string | undefined }[] = [];
let t: TestApp;
let unreachable: TestApp;

const intervals = {
  deviceId: 'dev-1',
  from: 1,
  to: 2,
  intervalMs: 1,
  metrics: { temperature: [{ t: 1, min: 2, max: 2, avg: 2, count: 1 }] },
};

/** A registered device's item in the devices table, as a registration through any API task writes it. */
const registryItem = (deviceId: string) => ({
  deviceId,
  name: deviceId,
  ownerId: 'o',
  ownerName: 'o',
  createdAt: new Date().toISOString(),
  certificateArn: 'a',
  certificateId: 'c',
  status: 'active',
});

beforeAll(async () => {
  data = Fastify();
  data.addHook('onRequest', async (req) => void seen.push({ url: req.url, authorization: req.headers.authorization }));
  data.get('/data/devices/:id/latest', async (req, reply) => {
    const { id } = req.params as { id: string };
    if (id === 'quiet') return reply.code(404).send({ code: 'NoReadings', message: 'No reading stored for device "quiet"' });
    if (id === 'broken') return reply.code(500).send({ code: 'InternalError', message: 'table fleet-telemetry throttled' });
    if (id === 'refused') return reply.code(403).send({ code: 'Forbidden', message: 'Role "viewer" may not read devices' });
    if (id === 'gone') return reply.code(404).send({ code: 'NotFound', message: 'no route GET /data/devices/gone/latest' });
    if (id === 'expired') return reply.code(401).send({ code: 'Unauthorized', message: 'The access token has expired' });
    if (id === 'shapeless') return { deviceId: id, ts: 'yesterday', values: {} };
    return { deviceId: id, ts: 1_732_440_000_000, seq: 3, values: { temperature: 21.5 }, receivedAt: 1_732_440_000_100, internal: 'x' };
  });
  // Ranges longer than a month are read from hour rollups, as the Data Service answers them.
  data.get('/data/devices/:id/readings', async (req) => {
    const q = req.query as Record<string, string>;
    return Number(q['to']) - Number(q['from']) > 31 * 86_400_000 ? { ...intervals, resolution: '1h' } : intervals;
  });
  data.get('/data/devices/:id/readings/raw', async (req, reply) => {
    const q = req.query as Record<string, string>;
    if (q['cursor'] === 'bad') return reply.code(400).send({ code: 'ValidationError', message: 'cursor is not valid' });
    if (q['cursor'] === 'odd') return reply.code(409).send({ code: 'SomethingElse', message: 'a code outside the closed set' });
    if (q['cursor'] === 'mislabelled') return reply.code(409).send({ code: 'ValidationError', message: 'a code with another status' });
    return { deviceId: 'dev-1', readings: [{ ts: 1, seq: 1, values: { t: 1 } }], nextCursor: 'abc' };
  });
  dataUrl = await data.listen({ port: 0, host: '127.0.0.1' });
  t = await startTestApp({ config: { dataServiceUrl: dataUrl } });
  // Port 9 (discard) on loopback: nothing listens there, so the connection is refused.
  unreachable = await startTestApp({ config: { dataServiceUrl: 'http://127.0.0.1:9' } });
  for (const app of [t, unreachable]) {
    for (const deviceId of ['dev-1', 'quiet', 'broken', 'refused', 'gone', 'expired', 'shapeless']) {
      await app.dynamo.doc.send(new PutCommand({ TableName: devicesTable.id, Item: registryItem(deviceId) }));
    }
  }
});
afterAll(async () => {
  await t.close();
  await unreachable.close();
  await data.close();
});

const get = async (url: string, app = t) => app.app.inject({ method: 'GET', url, headers: { authorization: await app.bearer() } });

describe('telemetry routes', () => {
  it("relays the Data Service's latest reading with the caller's token, in the contract's shape", async () => {
    const auth = await t.bearer({ groups: ['viewer'] });
    const res = await asCaller(t.app, auth).get('/api/devices/dev-1/telemetry/latest');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    // A field outside the contract does not leak.
    expect(res.json()).toEqual({
      deviceId: 'dev-1',
      ts: 1_732_440_000_000,
      seq: 3,
      values: { temperature: 21.5 },
      receivedAt: 1_732_440_000_100,
    });
    expect(seen.at(-1)).toEqual({ url: '/data/devices/dev-1/latest', authorization: auth });
  });

  it('passes the query string through unchanged', async () => {
    const res = await get(
      '/api/devices/dev-1/telemetry?from=2026-01-01T00:00:00Z&to=1732440000000&maxPoints=200&metrics=temperature,humidity',
    );
    expect(res.statusCode).toBe(200);
    expect(seen.at(-1)?.url).toBe(
      '/data/devices/dev-1/readings?from=2026-01-01T00:00:00Z&to=1732440000000&maxPoints=200&metrics=temperature,humidity',
    );
    expect(res.json()).toEqual(intervals);
    const raw = await get('/api/devices/dev-1/telemetry/raw?limit=10&cursor=xyz');
    expect(raw.json()).toEqual({ deviceId: 'dev-1', readings: [{ ts: 1, seq: 1, values: { t: 1 } }], nextCursor: 'abc' });
    expect(seen.at(-1)?.url).toBe('/data/devices/dev-1/readings/raw?limit=10&cursor=xyz');
  });

  it('relays a one-year range (the Data Service bounds it by the retention) and the resolution its answer was read from', async () => {
    const to = Date.UTC(2026, 11, 1);
    const from = to - 365 * 86_400_000;
    const res = await get(`/api/devices/dev-1/telemetry?from=${from}&to=${to}&maxPoints=500`);
    expect(res.statusCode).toBe(200);
    expect(seen.at(-1)?.url).toBe(`/data/devices/dev-1/readings?from=${from}&to=${to}&maxPoints=500`);
    expect(res.json()).toEqual({ ...intervals, resolution: '1h' });
  });

  it('answers 404 DeviceNotFound for a device the registry does not hold, without asking the Data Service', async () => {
    const before = seen.length;
    for (const url of ['/api/devices/ghost/telemetry/latest', '/api/devices/ghost/telemetry', '/api/devices/ghost/telemetry/raw']) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.json()).toEqual({ code: 'DeviceNotFound', message: 'Device "ghost" is not registered' });
    }
    expect(seen.length).toBe(before);
  });

  it("knows a device as the device page does: one registered elsewhere at once, one removed elsewhere within the registry copy's age", async () => {
    // Registered by another task: this task has never seen it, so it reads the table at once.
    await t.dynamo.doc.send(new PutCommand({ TableName: devicesTable.id, Item: registryItem('elsewhere-1') }));
    expect((await get('/api/devices/elsewhere-1/telemetry')).statusCode).toBe(200);
    // Removed by another task: polls within `registryMaxAgeMs` (10 s) are answered from the record
    // read a moment ago, as GET /api/devices/:id is, instead of one GetItem per poll.
    await t.dynamo.doc.send(new DeleteCommand({ TableName: devicesTable.id, Key: { deviceId: 'elsewhere-1' } }));
    expect((await get('/api/devices/elsewhere-1/telemetry')).statusCode).toBe(200);
    expect(seen.at(-1)?.url).toBe('/data/devices/elsewhere-1/readings');
  });

  it("maps the Data Service's errors into the API's documented codes: a bad query, no readings, an expired token", async () => {
    const quiet = await get('/api/devices/quiet/telemetry/latest');
    expect(quiet.statusCode).toBe(404);
    expect(quiet.json()).toEqual({ code: 'NoReadings', message: 'No reading stored for device "quiet"' });
    const badCursor = await get('/api/devices/dev-1/telemetry/raw?cursor=bad');
    expect(badCursor.statusCode).toBe(400);
    expect(badCursor.json()).toEqual({ code: 'ValidationError', message: 'cursor is not valid' });
    const expired = await get('/api/devices/expired/telemetry/latest');
    expect(expired.statusCode).toBe(401);
    expect(expired.headers['www-authenticate']).toMatch(/^Bearer realm="fleet"/);
  });

  it('answers 502 DataServiceUnavailable for any other Data Service answer, never its code', async () => {
    for (const url of [
      '/api/devices/broken/telemetry/latest', // its 5xx, with details that must not leak
      '/api/devices/refused/telemetry/latest', // a 403: the two services disagree on the caller
      '/api/devices/gone/telemetry/latest', // a route it does not have
      '/api/devices/dev-1/telemetry/raw?cursor=odd', // a code outside the closed set
      '/api/devices/dev-1/telemetry/raw?cursor=mislabelled', // a code with another status
    ]) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(502);
      expect(res.json(), url).toEqual({ code: 'DataServiceUnavailable', message: 'The data service is unavailable, try again later' });
    }
    expect((await get('/api/devices/broken/telemetry/latest')).body).not.toContain('throttled');
  });

  it('answers 502 for a Data Service answer that breaks the contract, never relaying it', async () => {
    const res = await get('/api/devices/shapeless/telemetry/latest');
    expect(res.statusCode).toBe(502);
    expect(res.json()).toEqual({
      code: 'DataServiceUnavailable',
      message: 'The data service answered in an unexpected shape, try again later',
    });
  });

  it('refuses unknown or repeated query parameters and oversized values before relaying', async () => {
    const before = seen.length;
    for (const query of [
      'colour=red',
      'maxPoints=1&maxPoints=2',
      `metrics=${'a'.repeat(1025)}`,
      'maxPoints=2001',
      `cursor=${'c'.repeat(65)}`,
    ]) {
      const res = await get(`/api/devices/dev-1/telemetry?${query}`);
      const raw = await get(`/api/devices/dev-1/telemetry/raw?${query}`);
      expect([res.statusCode, raw.statusCode], query).toEqual([400, 400]);
      expect(res.json().code, query).toBe('ValidationError');
    }
    expect(seen.length).toBe(before);
  });

  it('answers 502 DataServiceUnavailable when the Data Service is unreachable', async () => {
    const res = await get('/api/devices/dev-1/telemetry/latest', unreachable);
    expect(res.statusCode).toBe(502);
    expect(res.json().code).toBe('DataServiceUnavailable');
  });

  it('validates before relaying: 400 for a bad maxPoints or device id, 401 without a token', async () => {
    const before = seen.length;
    const bad = await get('/api/devices/dev-1/telemetry?maxPoints=0');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toBe('querystring/maxPoints must be >= 1');
    expect((await get('/api/devices/a.b/telemetry/latest')).statusCode).toBe(400);
    expect((await t.app.inject({ method: 'GET', url: '/api/devices/dev-1/telemetry/latest' })).statusCode).toBe(401);
    expect(seen.length).toBe(before);
  });
});
