/**
 * The gateway's target checks: routing follows liveness (as an ALB target group), while the
 * readiness report of the same round tells the status view which dependency failed.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHealthChecker, waitUntilHealthy, type TargetHealth, type TargetReadiness } from './health-checks.ts';

let server: Server;
let baseUrl: string;
let live = true;
let failedDependency: string | undefined;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/live') {
      res.writeHead(live ? 200 : 500).end();
      return;
    }
    const checks = [{ name: 'dynamodb:fleet-devices', status: failedDependency ? 'failed' : 'ok', latencyMs: 1 }];
    res.writeHead(failedDependency ? 503 : 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: failedDependency ? 'unavailable' : 'ok', service: 'api', checkedAt: 1, checks }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

it('keeps routing to a live target whose dependency is down, and reports the failed dependency once per change', async () => {
  const health: [string, TargetHealth][] = [];
  const readiness: [string, TargetReadiness][] = [];
  const checker = createHealthChecker([{ name: 'api', baseUrl, healthPath: '/live', readinessPath: '/ready' }], {
    intervalMs: 60_000,
    unhealthyThreshold: 1,
    onChange: (name, h) => health.push([name, h]),
    onReadinessChange: (name, r) => readiness.push([name, r]),
  });
  try {
    await checker.checkNow();
    expect(checker.health('api')).toBe('healthy');
    expect(checker.readiness('api')).toEqual({ status: 'ready', failed: [] });

    failedDependency = 'dynamodb:fleet-devices';
    await checker.checkNow();
    await checker.checkNow();
    expect(checker.health('api')).toBe('healthy');
    expect(checker.readiness('api')).toEqual({ status: 'unready', failed: ['dynamodb:fleet-devices'] });

    failedDependency = undefined;
    live = false;
    await checker.checkNow();
    expect(checker.health('api')).toBe('unhealthy');
    expect(checker.readiness('api').status).toBe('ready');

    expect(health).toEqual([
      ['api', 'healthy'],
      ['api', 'unhealthy'],
    ]);
    expect(readiness.map(([, r]) => r.status)).toEqual(['ready', 'unready', 'ready']);
  } finally {
    checker.stop();
    live = true;
  }
});

it('reports a target that answers no readiness report as unready, saying why', async () => {
  const checker = createHealthChecker([{ name: 'data', baseUrl: 'http://127.0.0.1:9', healthPath: '/live', readinessPath: '/ready' }], {
    intervalMs: 60_000,
  });
  try {
    await checker.checkNow();
    expect(checker.readiness('data')).toMatchObject({ status: 'unready', failed: [expect.stringMatching(/^no readiness report/)] });
  } finally {
    checker.stop();
  }
});

describe('waiting for every target at start', () => {
  it('resolves true once a target that starts late answers, false when one never does', async () => {
    const late = createServer((_req, res) => res.end('ok'));
    const port = await new Promise<number>((resolve) => {
      const probe = createServer();
      probe.listen(0, '127.0.0.1', () => {
        const { port: p } = probe.address() as AddressInfo;
        probe.close(() => resolve(p));
      });
    });
    const checker = createHealthChecker([{ name: 'late', baseUrl: `http://127.0.0.1:${port}`, healthPath: '/health' }], {
      intervalMs: 60_000,
    });
    setTimeout(() => late.listen(port, '127.0.0.1'), 300);
    try {
      expect(await waitUntilHealthy(checker, 10_000, 50)).toBe(true);
      // A port nothing listens on (discard, 9) never answers.
      const silent = createHealthChecker([{ name: 'silent', baseUrl: 'http://127.0.0.1:9', healthPath: '/health' }], {
        intervalMs: 60_000,
      });
      expect(await waitUntilHealthy(silent, 300, 50)).toBe(false);
      silent.stop();
    } finally {
      checker.stop();
      late.close();
    }
  });
});
