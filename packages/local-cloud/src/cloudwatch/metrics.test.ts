import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GetMetricDataCommand,
  GetMetricStatisticsCommand,
  InvalidParameterCombinationException,
  InvalidParameterValueException,
  ListMetricsCommand,
  PutMetricDataCommand,
  type Statistic,
} from '@aws-sdk/client-cloudwatch';
import { startHarness, type Harness } from '../testing/cloudwatch-harness.ts';

const t0 = Date.UTC(2026, 10, 24, 12, 0, 0);
const at = (minutes: number, seconds = 0) => new Date(t0 + minutes * 60_000 + seconds * 1000);

describe('CloudWatch metrics through @aws-sdk/client-cloudwatch', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({}, t0 + 30 * 60_000);
  });
  afterAll(() => h.close());

  it('aggregates Value, Values+Counts and StatisticValues per minute and answers GetMetricStatistics', async () => {
    const dims = [{ Name: 'Service', Value: 'data' }];
    await h.cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: 'Test/Stats',
        MetricData: [
          { MetricName: 'Latency', Dimensions: dims, Timestamp: at(0, 5), Value: 10, Unit: 'Milliseconds' },
          { MetricName: 'Latency', Dimensions: dims, Timestamp: at(0, 50), Values: [20, 30], Counts: [2, 1], Unit: 'Milliseconds' },
          {
            MetricName: 'Latency',
            Dimensions: dims,
            Timestamp: at(1, 10),
            StatisticValues: { SampleCount: 4, Sum: 400, Minimum: 50, Maximum: 200 },
            Unit: 'Milliseconds',
          },
        ],
      }),
    );
    /** Test/Stats Latency of the first five minutes, in periods of `Period` seconds. */
    const latency = (Period: number, Statistics: Statistic[]) =>
      h.cloudwatch.send(
        new GetMetricStatisticsCommand({
          Namespace: 'Test/Stats',
          MetricName: 'Latency',
          Dimensions: dims,
          StartTime: at(0),
          EndTime: at(5),
          Period,
          Statistics,
        }),
      );
    const perMinute = await latency(60, ['Sum', 'Average', 'Minimum', 'Maximum', 'SampleCount']);
    const points = [...(perMinute.Datapoints ?? [])].sort((a, b) => a.Timestamp!.getTime() - b.Timestamp!.getTime());
    expect(points).toEqual([
      { Timestamp: at(0), Sum: 80, Average: 20, Minimum: 10, Maximum: 30, SampleCount: 4, Unit: 'Milliseconds' },
      { Timestamp: at(1), Sum: 400, Average: 100, Minimum: 50, Maximum: 200, SampleCount: 4, Unit: 'Milliseconds' },
    ]);
    expect(perMinute.Label).toBe('Latency');
    // The installed SDK speaks AWS JSON 1.0 to CloudWatch (no longer the Query protocol).
    expect(h.requests.at(-1)).toMatchObject({
      service: 'monitoring',
      target: 'GraniteServiceVersion20100801.GetMetricStatistics',
      contentType: 'application/x-amz-json-1.0',
    });

    const fiveMinutes = await latency(300, ['Sum', 'SampleCount']);
    expect(fiveMinutes.Datapoints).toEqual([{ Timestamp: at(0), Sum: 480, SampleCount: 8, Unit: 'Milliseconds' }]);
  });

  it('matches dimensions exactly as CloudWatch does: a subset or no dimensions is another metric', async () => {
    await h.cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: 'Test/Dims',
        MetricData: [
          { MetricName: 'Hits', Timestamp: at(2), Value: 1 },
          { MetricName: 'Hits', Dimensions: [{ Name: 'A', Value: '1' }], Timestamp: at(2), Value: 2 },
          {
            MetricName: 'Hits',
            Dimensions: [
              { Name: 'B', Value: 'x' },
              { Name: 'A', Value: '1' },
            ],
            Timestamp: at(2),
            Value: 4,
          },
        ],
      }),
    );
    const sum = async (Dimensions?: { Name: string; Value: string }[]) =>
      (
        await h.cloudwatch.send(
          new GetMetricStatisticsCommand({
            Namespace: 'Test/Dims',
            MetricName: 'Hits',
            Dimensions,
            StartTime: at(0),
            EndTime: at(10),
            Period: 600,
            Statistics: ['Sum'],
          }),
        )
      ).Datapoints?.[0]?.Sum;
    expect(await sum()).toBe(1);
    expect(await sum([{ Name: 'A', Value: '1' }])).toBe(2);
    // Dimension order does not matter.
    expect(
      await sum([
        { Name: 'A', Value: '1' },
        { Name: 'B', Value: 'x' },
      ]),
    ).toBe(4);
    expect(await sum([{ Name: 'A', Value: '2' }])).toBeUndefined();
  });

  it('lists metrics filtered by namespace, name and dimension (with or without value)', async () => {
    const all = await h.cloudwatch.send(new ListMetricsCommand({ Namespace: 'Test/Dims' }));
    expect(all.Metrics).toHaveLength(3);
    const withA = await h.cloudwatch.send(new ListMetricsCommand({ Namespace: 'Test/Dims', Dimensions: [{ Name: 'A' }] }));
    expect(withA.Metrics?.map((m) => m.Dimensions?.length).sort()).toEqual([1, 2]);
    const withB = await h.cloudwatch.send(new ListMetricsCommand({ MetricName: 'Hits', Dimensions: [{ Name: 'B', Value: 'x' }] }));
    expect(withB.Metrics).toEqual([
      {
        Namespace: 'Test/Dims',
        MetricName: 'Hits',
        Dimensions: [
          { Name: 'A', Value: '1' },
          { Name: 'B', Value: 'x' },
        ],
      },
    ]);
    const none = await h.cloudwatch.send(new ListMetricsCommand({ Namespace: 'Nope' }));
    expect(none.Metrics).toEqual([]);
  });

  it('answers GetMetricData MetricStat queries newest first and refuses math expressions', async () => {
    const result = await h.cloudwatch.send(
      new GetMetricDataCommand({
        StartTime: at(0),
        EndTime: at(5),
        MetricDataQueries: [
          {
            Id: 'lat',
            MetricStat: {
              Metric: { Namespace: 'Test/Stats', MetricName: 'Latency', Dimensions: [{ Name: 'Service', Value: 'data' }] },
              Period: 60,
              Stat: 'Maximum',
            },
          },
          {
            Id: 'hidden',
            ReturnData: false,
            MetricStat: { Metric: { Namespace: 'Test/Dims', MetricName: 'Hits' }, Period: 60, Stat: 'Sum' },
          },
        ],
      }),
    );
    expect(result.MetricDataResults).toEqual([
      { Id: 'lat', Label: 'Latency', Timestamps: [at(1), at(0)], Values: [200, 30], StatusCode: 'Complete' },
    ]);

    await expect(
      h.cloudwatch.send(
        new GetMetricDataCommand({ StartTime: at(0), EndTime: at(5), MetricDataQueries: [{ Id: 'e1', Expression: 'SUM(METRICS())' }] }),
      ),
    ).rejects.toBeInstanceOf(InvalidParameterValueException);
  });

  it('rejects bad requests with the exception classes the SDK maps', async () => {
    const both = h.cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: 'Test/Bad',
        MetricData: [{ MetricName: 'X', Value: 1, StatisticValues: { SampleCount: 1, Sum: 1, Minimum: 1, Maximum: 1 } }],
      }),
    );
    await expect(both).rejects.toBeInstanceOf(InvalidParameterCombinationException);
    const awsNamespace = h.cloudwatch.send(new PutMetricDataCommand({ Namespace: 'AWS/EC2', MetricData: [{ MetricName: 'X', Value: 1 }] }));
    await expect(awsNamespace).rejects.toBeInstanceOf(InvalidParameterValueException);
    const tooOld = h.cloudwatch.send(
      new PutMetricDataCommand({ Namespace: 'Test/Bad', MetricData: [{ MetricName: 'X', Value: 1, Timestamp: at(-15 * 24 * 60) }] }),
    );
    await expect(tooOld).rejects.toBeInstanceOf(InvalidParameterValueException);
    const tooMany = h.cloudwatch.send(
      new GetMetricStatisticsCommand({
        Namespace: 'Test/Stats',
        MetricName: 'Latency',
        StartTime: at(0),
        EndTime: at(2000),
        Period: 60,
        Statistics: ['Sum'],
      }),
    );
    await expect(tooMany).rejects.toBeInstanceOf(InvalidParameterCombinationException);
    // Nothing of a rejected request is stored.
    const listed = await h.cloudwatch.send(new ListMetricsCommand({ Namespace: 'Test/Bad' }));
    expect(listed.Metrics).toEqual([]);
  });

  it('accepts a gzip-compressed PutMetricData (the SDK compresses bodies of 10 KiB and more)', async () => {
    const MetricData = Array.from({ length: 300 }, (_, i) => ({
      MetricName: 'Bulk',
      Dimensions: [{ Name: 'Padding', Value: 'x'.repeat(40) }],
      Timestamp: at(3),
      Value: i,
    }));
    await h.cloudwatch.send(new PutMetricDataCommand({ Namespace: 'Test/Bulk', MetricData }));
    expect(h.requests.at(-1)).toMatchObject({ operation: 'PutMetricData', contentEncoding: 'gzip' });
    const stats = await h.cloudwatch.send(
      new GetMetricStatisticsCommand({
        Namespace: 'Test/Bulk',
        MetricName: 'Bulk',
        Dimensions: MetricData[0]!.Dimensions,
        StartTime: at(0),
        EndTime: at(10),
        Period: 600,
        Statistics: ['SampleCount', 'Sum'],
      }),
    );
    expect(stats.Datapoints?.[0]).toMatchObject({ SampleCount: 300, Sum: (299 * 300) / 2 });
  });

  it('keeps metrics across a close and re-create on the same data folder', async () => {
    await h.restart();
    const stats = await h.cloudwatch.send(
      new GetMetricStatisticsCommand({
        Namespace: 'Test/Stats',
        MetricName: 'Latency',
        Dimensions: [{ Name: 'Service', Value: 'data' }],
        StartTime: at(0),
        EndTime: at(5),
        Period: 300,
        Statistics: ['Sum'],
      }),
    );
    expect(stats.Datapoints?.[0]?.Sum).toBe(480);
    expect((await h.cloudwatch.send(new ListMetricsCommand({}))).Metrics?.length).toBeGreaterThanOrEqual(5);
  });
});
