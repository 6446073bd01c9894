import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { answerChecker, devicesTable, OverviewSchema, silentAfterMs, type Overview } from '@fleet/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { asCaller } from '../test-support/as-caller.ts';
import { awsError } from '../test-support/fake-aws-client.ts';
import { startTestApp, type TestApp } from '../test-support/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());
beforeEach(() => {
  t.forgetCalls();
  t.cloudwatch.on({ GetMetricData: () => ({ MetricDataResults: [] }) });
});

const checkOverview = answerChecker(OverviewSchema);
const minute = 60_000;

async function overviewAs(groups: string[]): Promise<Overview> {
  const res = await asCaller(t.app, await t.bearer({ groups })).get('/api/overview');
  expect(res.statusCode, res.body).toBe(200);
  const checked = checkOverview(res.json());
  if (!checked.ok) throw new Error(checked.problems.join('; '));
  return checked.value;
}

async function registerInTable(deviceId: string) {
  await t.dynamo.doc.send(
    new PutCommand({
      TableName: devicesTable.id,
      Item: {
        deviceId,
        name: deviceId,
        ownerId: 'sub-alice',
        ownerName: 'alice',
        createdAt: new Date().toISOString(),
        certificateArn: `arn:aws:iot:us-east-1:000000000000:cert/${deviceId}`,
        certificateId: deviceId,
        status: 'active',
      },
    }),
  );
}

const reading = (receivedAt: number) => ({ ts: receivedAt, seq: 1, values: { temperature: 20 }, receivedAt });

describe('GET /api/overview', () => {
  it('counts the registered devices online, offline and silent around the silence threshold', async () => {
    const now = Date.now();
    const connectedAt = new Date(now - 3 * silentAfterMs).toISOString();
    for (const id of ['fresh-1', 'nearly-silent-1', 'silent-1', 'offline-1', 'never-heard-1', 'quiet-since-connect-1'])
      await registerInTable(id);
    t.data!.setState({ deviceId: 'fresh-1', online: true, connectedAt, latest: reading(now - minute) });
    // A minute inside the threshold: still online; a minute past it: silent.
    t.data!.setState({ deviceId: 'nearly-silent-1', online: true, connectedAt, latest: reading(now - silentAfterMs + minute) });
    t.data!.setState({ deviceId: 'silent-1', online: true, connectedAt, latest: reading(now - silentAfterMs - minute) });
    t.data!.setState({ deviceId: 'offline-1', online: false, latest: reading(now - minute) });
    // Connected, never sent anything, for longer than the threshold.
    t.data!.setState({ deviceId: 'quiet-since-connect-1', online: true, connectedAt });
    // A device the Data Service knows but the registry does not (revoked) is not counted.
    t.data!.setState({ deviceId: 'revoked-1', online: true, connectedAt, latest: reading(now) });

    const { devices } = await overviewAs(['viewer']);
    expect(devices).toEqual({ available: true, total: 6, online: 2, offline: 2, silent: 2, silentAfterMs });
  });

  it('asks CloudWatch once for the Data Service metrics of the last hour and answers one point per minute, 0 where none', async () => {
    t.cloudwatch.on({
      GetMetricData: (input) => {
        const end = (input['EndTime'] as Date).getTime();
        return {
          MetricDataResults: [
            { Id: 'readings', Timestamps: [new Date(end - 2 * minute), new Date(end - minute)], Values: [120, 60] },
            { Id: 'rejected', Timestamps: [new Date(end - minute)], Values: [3] },
          ],
        };
      },
    });
    const { throughput } = await overviewAs(['viewer']);
    expect(t.cloudwatch.names()).toEqual(['GetMetricData']);
    const input = t.cloudwatch.calls[0]!.input;
    const stat = (id: string) => (input['MetricDataQueries'] as { Id: string; MetricStat: unknown }[]).find((q) => q.Id === id)?.MetricStat;
    for (const [id, name] of [
      ['readings', 'ReadingsStored'],
      ['rejected', 'ReadingsRejected'],
    ] as const) {
      expect(stat(id)).toEqual({
        Metric: { Namespace: 'Fleet', MetricName: name, Dimensions: [{ Name: 'Service', Value: 'data' }] },
        Period: 60,
        Stat: 'Sum',
      });
    }
    if (!throughput.available) throw new Error(throughput.reason);
    expect(throughput.to - throughput.from).toBe(60 * minute);
    expect(throughput.minutes).toHaveLength(60);
    expect(throughput.minutes.at(-1)).toEqual({ t: throughput.to - minute, readings: 60, rejected: 3 });
    expect(throughput.minutes.at(-2)).toEqual({ t: throughput.to - 2 * minute, readings: 120, rejected: 0 });
    expect(throughput.minutes.slice(0, 58).every((m) => m.readings === 0 && m.rejected === 0)).toBe(true);
    expect([throughput.readings, throughput.rejected]).toEqual([180, 3]);
    // The current minute is the last one.
    expect(Date.now()).toBeGreaterThanOrEqual(throughput.to - minute);
    expect(Date.now()).toBeLessThan(throughput.to);
  });

  it('answers the chart as unavailable when CloudWatch refuses, and the other parts still', async () => {
    t.cloudwatch.on({
      GetMetricData: () => {
        throw awsError('AccessDeniedException', 'not authorized to perform: cloudwatch:GetMetricData');
      },
    });
    const overview = await overviewAs(['viewer']);
    expect(overview.throughput).toEqual({ available: false, reason: 'CloudWatch did not answer (AccessDeniedException)' });
    expect(overview.devices.available).toBe(true);
  });

  it('answers the alarms as unavailable when the Data Service fails them, never a 5xx', async () => {
    // The fake Data Service serves device states only: its alarm route answers 404.
    const overview = await overviewAs(['viewer']);
    expect(overview.alarms).toEqual({ available: false, reason: 'The data service is unavailable, try again later' });
    expect(overview.devices.available).toBe(true);
  });

  it('includes recent dead letters for operators and admins only', async () => {
    expect('deadLetters' in (await overviewAs(['viewer']))).toBe(false);
    expect((await overviewAs(['operator'])).deadLetters).toBeDefined();
    expect((await overviewAs(['admin'])).deadLetters).toBeDefined();
  });

  it('refuses a request without a token, and a query it does not take', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/overview' })).statusCode).toBe(401);
    const res = await asCaller(t.app, await t.bearer({ groups: ['viewer'] })).get('/api/overview?status=online');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'ValidationError' });
  });
});
