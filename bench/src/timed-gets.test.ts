import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { timeGetsInChild } from './timed-gets.ts';

describe('timed GETs in a child process', () => {
  let server: Server;
  let base: string;
  const seen: { path: string; authorization: string | undefined }[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push({ path: req.url ?? '', authorization: req.headers.authorization });
      if (req.url === '/broken') return void res.writeHead(503).end('down');
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ n: seen.length }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends warm-up and timed requests with the headers, and answers the timed ones and the last body', async () => {
    seen.length = 0;
    const result = await timeGetsInChild({ url: `${base}/ok`, headers: { authorization: 'Bearer t0k' }, warmup: 2, queries: 5 });
    expect(seen).toHaveLength(7);
    expect(seen.every((s) => s.path === '/ok' && s.authorization === 'Bearer t0k')).toBe(true);
    expect(result.latencies).toHaveLength(5);
    expect(result.latencies.every((ms) => ms > 0 && ms < 30_000)).toBe(true);
    expect(result.firstMs).toBeGreaterThan(0);
    expect(JSON.parse(result.lastText)).toEqual({ n: 7 });
  });

  it('fails with the answer when a request is not answered 2xx', async () => {
    await expect(timeGetsInChild({ url: `${base}/broken`, headers: {}, warmup: 0, queries: 3 })).rejects.toThrow(/answered 503: down/);
  });
});
