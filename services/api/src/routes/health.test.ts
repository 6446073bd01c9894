/**
 * `/api/health` tells the truth (issue 7, item 5): 200 while the API's own tables answer (the
 * device registry and the platform state; presence and latest values are the Data Service's), 503 naming
 * them while DynamoDB cannot be reached; `/api/health/live` (what ECS and the ALB check) stays 200.
 */
import type { HealthReport } from '@fleet/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../test-support/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ healthCacheMs: 0 });
});
afterAll(() => t.close());

it('answers 200 with its own tables checked, then 503 naming them once DynamoDB is gone; liveness stays 200', async () => {
  const ready = await t.app.inject({ url: '/api/health' });
  expect(ready.statusCode).toBe(200);
  expect(ready.json<HealthReport>()).toMatchObject({
    status: 'ok',
    service: 'api',
    checks: [
      { name: 'dynamodb:fleet-devices', status: 'ok' },
      { name: 'dynamodb:fleet-platform-state', status: 'ok' },
      { name: 'dynamodb:fleet-dashboards', status: 'ok' },
      { name: 'dynamodb:fleet-metric-settings', status: 'ok' },
      { name: 'dynamodb:fleet-audit', status: 'ok' },
    ],
  });

  await t.dynamo.close();
  const down = await t.app.inject({ url: '/api/health' });
  expect(down.statusCode).toBe(503);
  const report = down.json<HealthReport>();
  expect(report.status).toBe('unavailable');
  expect(report.checks.map((c) => `${c.name} ${c.status}`)).toEqual([
    'dynamodb:fleet-devices failed',
    'dynamodb:fleet-platform-state failed',
    'dynamodb:fleet-dashboards failed',
    'dynamodb:fleet-metric-settings failed',
    'dynamodb:fleet-audit failed',
  ]);
  expect(report.checks[0]?.error).toBeTruthy();

  const live = await t.app.inject({ url: '/api/health/live' });
  expect(live.statusCode).toBe(200);
  expect(live.json()).toEqual({ status: 'ok' });
});
