import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpsDevice } from './https-publisher.ts';
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

  beforeAll(async () => {
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
      req.resume();
      req.on('end', () =>
        res.writeHead(script.shift() ?? 200, { 'content-type': 'application/json' }).end('{"message":"x","traceId":"t"}'),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const device = () =>
    createHttpsDevice(
      { deviceId: 'd-1', host: '127.0.0.1', port: (server.address() as AddressInfo).port, ca: cert, cert, key },
      createDeviceSignals(1),
      { retry: { maxAttempts: 3, baseDelayMs: 1 } },
    );

  it('counts a reading acknowledged on 200 after retrying 429 and 503, and posts to the telemetry topic with qos=1', async () => {
    script = [429, 503];
    const publisher = device();
    await publisher.run({ rate: 100, count: 1 });
    await publisher.stop();
    expect(publisher.counters).toEqual({ sent: 1, acked: 1, failed: 0 });
    expect(paths.slice(-3)).toEqual(Array(3).fill('/topics/fleet/devices/d-1/telemetry?qos=1'));
  });

  it('fails a reading refused with 403 at once, and one still throttled after its last attempt', async () => {
    script = [403, 429, 429, 429];
    const publisher = device();
    await publisher.run({ rate: 100, count: 2 });
    await publisher.stop();
    expect(publisher.counters).toEqual({ sent: 2, acked: 0, failed: 2 });
  });
});
