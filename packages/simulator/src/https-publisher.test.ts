import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpsDevice } from './https-publisher.ts';
import { openOutbox } from './outbox.ts';
import { createDeviceSignals } from './signals.ts';

const opensslInstalled = existsSync('/usr/bin/openssl');

// An HTTPS endpoint (a throw-away self-signed certificate) answering each POST with the next status of `script`, then 200.
describe.skipIf(!opensslInstalled)('HTTPS device publisher', () => {
  let dir: string;
  let cert: string;
  let key: string;
  let server: Server;
  let script: number[] = [];
  const paths: string[] = [];
  /** The seq of each reading answered 200, in the order answered. */
  const acceptedSeqs: number[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sim-https-'));
    execFileSync(
      '/usr/bin/openssl',
      [
        ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1'],
        ...['-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
        ...['-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
      ],
      { stdio: 'ignore' },
    );
    cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    key = readFileSync(join(dir, 'key.pem'), 'utf8');
    server = createServer({ cert, key }, (req, res) => {
      paths.push(req.url ?? '');
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const status = script.shift() ?? 200;
        if (status === 200) acceptedSeqs.push((JSON.parse(body) as { seq: number }).seq);
        res.writeHead(status, { 'content-type': 'application/json' }).end('{"message":"x","traceId":"t"}');
      });
    });
  });
  afterAll(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const listen = (port = 0) =>
    new Promise<number>((resolve) => server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()));

  const device = (port: number, outboxFile?: string) =>
    createHttpsDevice({ deviceId: 'd-1', host: '127.0.0.1', port, ca: cert, cert, key }, createDeviceSignals(1), {
      backoff: { baseDelayMs: 1, maxDelayMs: 20 },
      ...(outboxFile ? { outbox: openOutbox(outboxFile, { maxBuffered: 100 }), bufferOffline: true } : {}),
    });

  it('acknowledges a reading on 200 after sending it again on 429 and 503, posting to the telemetry topic with qos=1', async () => {
    const port = await listen();
    script = [429, 503];
    paths.length = 0;
    const publisher = device(port);
    await publisher.run({ rate: 100, count: 1 });
    await publisher.stop();
    expect(publisher.counters).toMatchObject({ published: 1, acked: 1, failed: 2, dropped: 0, refused: 0 });
    expect(publisher.buffered).toBe(0);
    expect(paths).toEqual(Array(3).fill('/topics/fleet/devices/d-1/telemetry?qos=1'));
    await close();
  });

  it('drops a reading refused with 403 at once, counted refused, and acknowledges the next', async () => {
    const port = await listen();
    script = [403];
    paths.length = 0;
    const publisher = device(port);
    await publisher.run({ rate: 100, count: 2 });
    await publisher.stop();
    expect(publisher.counters).toMatchObject({ published: 2, acked: 1, failed: 0, dropped: 1, refused: 1 });
    expect(paths).toHaveLength(2);
    await close();
  });

  it('buffers readings while no endpoint answers and sends them, oldest first, once it does', async () => {
    // A port nothing listens on yet: the device is offline from its first request.
    const port = await listen();
    await close();
    script = [];
    acceptedSeqs.length = 0;
    const publisher = device(port, join(dir, 'outbox.jsonl'));
    const running = publisher.run({ rate: 50, count: 5 });
    // The endpoint comes up once every reading is produced and waits in the outbox.
    while (publisher.counters.published < 5) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(publisher.counters.acked).toBe(0);
    expect(publisher.buffered).toBe(5);
    await listen(port);
    await running;
    await publisher.stop();
    expect(publisher.counters).toMatchObject({ published: 5, acked: 5, dropped: 0, refused: 0 });
    expect(publisher.counters.failed).toBeGreaterThan(0);
    expect(acceptedSeqs).toEqual([1, 2, 3, 4, 5]);
    await close();
  });
});
