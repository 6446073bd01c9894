/** The readiness report: which dependency failed, one round of probes per cache period, bounded time. */
import { expect, it } from 'vitest';
import { createHealthProbe, type DependencyProbe } from './health.ts';

const ok = (name: string, calls: string[] = []): DependencyProbe => ({
  name,
  probe: () => {
    calls.push(name);
    return Promise.resolve();
  },
});

it('answers ok when every dependency answers', async () => {
  const probe = createHealthProbe({ service: 'api', dependencies: [ok('dynamodb:fleet-devices'), ok('dynamodb:fleet-latest')] });
  const report = await probe.report();
  expect(report).toMatchObject({ status: 'ok', service: 'api' });
  expect(report.checks.map((c) => [c.name, c.status])).toEqual([
    ['dynamodb:fleet-devices', 'ok'],
    ['dynamodb:fleet-latest', 'ok'],
  ]);
});

it('answers unavailable naming the dependency that failed and why', async () => {
  const failing: DependencyProbe = {
    name: 'dynamodb:fleet-telemetry',
    probe: () => Promise.reject(Object.assign(new Error('DynamoDB is restarting'), { name: 'ServiceUnavailable' })),
  };
  const report = await createHealthProbe({ service: 'data', dependencies: [ok('s3:bucket'), failing] }).report();
  expect(report.status).toBe('unavailable');
  expect(report.checks).toContainEqual(
    expect.objectContaining({ name: 'dynamodb:fleet-telemetry', status: 'failed', error: 'ServiceUnavailable: DynamoDB is restarting' }),
  );
  expect(report.checks).toContainEqual(expect.objectContaining({ name: 's3:bucket', status: 'ok' }));
});

it('probes once per cache period, however many callers ask', async () => {
  let clock = 1_000;
  const calls: string[] = [];
  const probe = createHealthProbe({ service: 'api', dependencies: [ok('a', calls)], cacheMs: 5_000, now: () => clock });
  await Promise.all([probe.report(), probe.report(), probe.report()]);
  clock += 4_999;
  await probe.report();
  expect(calls).toEqual(['a']);
  clock += 1;
  const fresh = await probe.report();
  expect(calls).toEqual(['a', 'a']);
  expect(fresh.checkedAt).toBe(clock);
});

it('fails a dependency that does not answer in time, even one that ignores the abort signal', async () => {
  const hanging: DependencyProbe = { name: 'sqs:fleet-ingest', probe: () => new Promise(() => {}) };
  const started = Date.now();
  const report = await createHealthProbe({ service: 'data', dependencies: [hanging], timeoutMs: 50 }).report();
  expect(Date.now() - started).toBeLessThan(1_000);
  expect(report.checks[0]).toMatchObject({ status: 'failed', error: 'Error: no answer within 50 ms' });
});
