import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asCaller } from '../test-support/as-caller.ts';
import { startTestApp, type TestApp } from '../test-support/test-app.ts';

let data: FastifyInstance;
let t: TestApp;
const asked: (string | undefined)[] = [];
const counts = { online: 3, silent: 1, offline: 6, total: 10, silentAfterMs: 600_000, countedAt: '2026-12-01T00:00:00.000Z' };

beforeAll(async () => {
  data = Fastify();
  data.get('/data/device-status-counts', async (req) => {
    asked.push(req.headers.authorization);
    return { ...counts, internal: 'not relayed' };
  });
  t = await startTestApp({ config: { dataServiceUrl: await data.listen({ port: 0, host: '127.0.0.1' }) } });
});
afterAll(async () => {
  await t.close();
  await data.close();
});

describe('GET /api/device-status-counts', () => {
  it("relays the Data Service's counts to every role, with the caller's token, and only the contract's fields", async () => {
    const bearer = await t.bearer({ username: 'vera', groups: [] });
    const res = await asCaller(t.app, bearer).get('/api/device-status-counts');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(counts);
    expect(asked).toEqual([bearer]);
  });
});
