import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFleetHttpServer } from './http-server.ts';
import { rawRequest } from './raw-http-client.ts';

const headersMs = 400;
let server: Server;
let port = 0;

beforeAll(async () => {
  server = createFleetHttpServer(
    { keepAliveTimeoutMs: 1_000, timeouts: { headers: headersMs, request: 800, checkInterval: 50 } },
    (req, res) => {
      let size = 0;
      req.on('data', (chunk: Buffer) => (size += chunk.length));
      req.on('end', () => res.end(JSON.stringify({ url: req.url, version: req.httpVersion, size })));
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

describe('the Fleet HTTP server', () => {
  it('answers an HTTP/0.9 request line at once with 400 JSON and closes', async () => {
    const answer = await rawRequest(port, 'GET /\r\n', { waitMs: 5_000 });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'MalformedRequest', message: expect.stringContaining('HTTP/0.9') });
    expect(answer.closed).toBe(true);
    // At once: long before the headers timeout would have closed it.
    expect(answer.elapsedMs).toBeLessThan(headersMs);
  });

  it('serves HTTP/1.1, a body, and two pipelined requests on one connection', async () => {
    const one = await rawRequest(port, 'POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello');
    expect(one.status).toBe(200);
    expect(JSON.parse(one.body)).toEqual({ url: '/a', version: '1.1', size: 5 });
    const two = await rawRequest(port, 'GET /b HTTP/1.1\r\nHost: x\r\n\r\nGET /c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(two.status).toBe(200);
    expect(two.closed).toBe(true);
  });

  it('accepts a request line that arrives in pieces and ignores empty lines before it (RFC 9112 §2.2)', async () => {
    const answer = await rawRequest(port, ['\r\nGE', 'T /slow HT', 'TP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'], { gapMs: 20 });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ url: '/slow' });
  });

  it('answers 408 to a client that sends its headers too slowly, and closes', async () => {
    const answer = await rawRequest(port, ['GET / HTTP/1.1\r\n', 'Host: x\r\n', 'X-Slow: 1\r\n', 'X-Slow: 2\r\n'], {
      gapMs: 300,
      waitMs: 5_000,
    });
    expect(answer.status).toBe(408);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'RequestTimeout' });
    expect(answer.closed).toBe(true);
  });

  it('answers 408 to a client that sends its body too slowly, once the request timeout passes', async () => {
    const answer = await rawRequest(
      port,
      ['POST /slow-body HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n', ...Array.from({ length: 9 }, () => 'x')],
      { gapMs: 200, waitMs: 5_000 },
    );
    expect(answer.status).toBe(408);
    expect(answer.closed).toBe(true);
  });

  it('answers 408 to a connection that never sends a request line', async () => {
    const answer = await rawRequest(port, [], { waitMs: 5_000 });
    expect(answer.status).toBe(408);
    expect(answer.closed).toBe(true);
  });

  it('answers 400 JSON for a malformed header and 414 for an endless request line', async () => {
    const bad = await rawRequest(port, 'GET / HTTP/1.1\r\nHost x\r\n\r\n');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({ code: 'MalformedRequest' });
    const long = await rawRequest(port, `GET /${'a'.repeat(20_000)}`);
    expect(long.status).toBe(414);
    expect(JSON.parse(long.body)).toMatchObject({ code: 'UriTooLong' });
  });

  it('closes an idle keep-alive connection after its keep-alive timeout', async () => {
    const answer = await rawRequest(port, 'GET /idle HTTP/1.1\r\nHost: x\r\n\r\n', { waitMs: 5_000 });
    expect(answer.status).toBe(200);
    expect(answer.closed).toBe(true);
  });
});
