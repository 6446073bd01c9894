import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetMetricStatisticsCommand, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeLogStreamsCommand, FilterLogEventsCommand, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { parseEmfLine } from './emf.ts';
import { startHarness, type Harness } from '../testing/cloudwatch-harness.ts';

const t0 = Date.UTC(2026, 10, 24, 12, 0, 0);

const emf = (fields: Record<string, unknown>, directives: unknown, timestamp: unknown = t0 + 5000) =>
  JSON.stringify({ _aws: { Timestamp: timestamp, CloudWatchMetrics: directives }, ...fields });

describe('parseEmfLine', () => {
  it('is not fooled by lines that are not EMF documents', () => {
    expect(parseEmfLine('plain text')).toBeUndefined();
    expect(parseEmfLine('{"level":30,"msg":"hello"}')).toBeUndefined();
    expect(parseEmfLine('{"_aws": {"Timestamp": 1}}')).toBeUndefined();
    expect(parseEmfLine('{"_aws": {"CloudWatchMetrics": {}}}')).toBeUndefined();
    expect(parseEmfLine('{"_aws": broken json')).toBeUndefined();
  });

  it('extracts one metric per DimensionSet, with arrays of values aggregated', () => {
    const doc = parseEmfLine(
      emf({ Service: 'data', Route: '/x', Latency: [10, 30, 20], Count: 3 }, [
        {
          Namespace: 'Fleet',
          Dimensions: [['Service'], ['Service', 'Route']],
          Metrics: [{ Name: 'Latency', Unit: 'Milliseconds' }, { Name: 'Count' }],
        },
      ]),
    );
    expect(doc?.timestamp).toBe(t0 + 5000);
    expect(doc?.problems).toEqual([]);
    expect(doc?.metrics).toEqual([
      {
        metric: { namespace: 'Fleet', metricName: 'Latency', dimensions: [{ Name: 'Service', Value: 'data' }] },
        unit: 'Milliseconds',
        aggregate: { count: 3, sum: 60, min: 10, max: 30 },
      },
      {
        metric: {
          namespace: 'Fleet',
          metricName: 'Latency',
          dimensions: [
            { Name: 'Service', Value: 'data' },
            { Name: 'Route', Value: '/x' },
          ],
        },
        unit: 'Milliseconds',
        aggregate: { count: 3, sum: 60, min: 10, max: 30 },
      },
      {
        metric: { namespace: 'Fleet', metricName: 'Count', dimensions: [{ Name: 'Service', Value: 'data' }] },
        unit: 'None',
        aggregate: { count: 1, sum: 3, min: 3, max: 3 },
      },
      {
        metric: {
          namespace: 'Fleet',
          metricName: 'Count',
          dimensions: [
            { Name: 'Service', Value: 'data' },
            { Name: 'Route', Value: '/x' },
          ],
        },
        unit: 'None',
        aggregate: { count: 1, sum: 3, min: 3, max: 3 },
      },
    ]);
  });

  it('skips what the specification calls invalid and keeps the valid rest', () => {
    const doc = parseEmfLine(
      emf({ Service: 'data', Code: 500, Good: 1, Text: 'x', Many: Array.from({ length: 101 }, () => 1) }, [
        { Namespace: '', Dimensions: [[]], Metrics: [{ Name: 'Good' }] }, // empty namespace
        { Namespace: 'Fleet', Dimensions: ['Service'], Metrics: [{ Name: 'Good' }] }, // flattened DimensionSet
        { Namespace: 'Fleet', Dimensions: [['Code']], Metrics: [{ Name: 'Good' }] }, // dimension value not a string
        {
          Namespace: 'Fleet',
          Dimensions: [[]],
          Metrics: [{ Name: 'Text' }, { Name: 'Many' }, { Name: 'Good', Unit: 'Furlongs' }, { Name: 'Missing' }],
        },
        { Namespace: 'Fleet', Dimensions: [[]], Metrics: [{ Name: 'Good', Unit: 'Count', StorageResolution: 60 }] },
        'not a directive',
      ]),
    );
    expect(doc?.metrics).toEqual([
      {
        metric: { namespace: 'Fleet', metricName: 'Good', dimensions: [] },
        unit: 'Count',
        aggregate: { count: 1, sum: 1, min: 1, max: 1 },
      },
    ]);
    expect(doc?.problems.length).toBe(8);
  });

  it('extracts nothing without a numeric _aws.Timestamp', () => {
    const doc = parseEmfLine(emf({ Good: 1 }, [{ Namespace: 'Fleet', Dimensions: [[]], Metrics: [{ Name: 'Good' }] }], '2026-11-24'));
    expect(doc?.metrics).toEqual([]);
    expect(doc?.problems).toEqual(['_aws.Timestamp must be a number of milliseconds since the epoch']);
  });
});

describe('ingestEmfLine with the SDK clients', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({}, t0 + 120_000);
  });
  afterAll(() => h.close());

  const stats = (MetricName: string, Dimensions = [{ Name: 'Service', Value: 'data' }]) =>
    h.cloudwatch.send(
      new GetMetricStatisticsCommand({
        Namespace: 'Fleet',
        MetricName,
        Dimensions,
        StartTime: new Date(t0),
        EndTime: new Date(t0 + 600_000),
        Period: 60,
        Statistics: ['Sum', 'SampleCount', 'Maximum'],
      }),
    );

  it('turns EMF lines into metrics visible through GetMetricStatistics and stores the line in the log group', async () => {
    const directive = [
      {
        Namespace: 'Fleet',
        Dimensions: [['Service']],
        Metrics: [
          { Name: 'ReadingsStored', Unit: 'Count' },
          { Name: 'BatchMs', Unit: 'Milliseconds' },
        ],
      },
    ];
    expect(h.standIn.ingestEmfLine(emf({ Service: 'data', ReadingsStored: 40, BatchMs: [5, 15] }, directive), '/fleet/services/data')).toBe(
      true,
    );
    expect(
      h.standIn.ingestEmfLine(emf({ Service: 'data', ReadingsStored: 2, BatchMs: [7] }, directive, t0 + 50_000), '/fleet/services/data'),
    ).toBe(true);
    expect(h.standIn.ingestEmfLine('{"level":30,"msg":"listening"}', '/fleet/services/data')).toBe(false);
    expect(h.standIn.ingestEmfLine('listening on 8080', '/fleet/services/data')).toBe(false);

    const stored = await stats('ReadingsStored');
    expect(stored.Datapoints).toEqual([{ Timestamp: new Date(t0), Sum: 42, SampleCount: 2, Maximum: 40, Unit: 'Count' }]);
    const batch = await stats('BatchMs');
    expect(batch.Datapoints).toEqual([{ Timestamp: new Date(t0), Sum: 27, SampleCount: 3, Maximum: 15, Unit: 'Milliseconds' }]);

    // The group and stream were created on first use; the line is the event's message.
    await h.standIn.close(); // flushes pending appends
    await h.restart();
    const streams = await h.logs.send(new DescribeLogStreamsCommand({ logGroupName: '/fleet/services/data' }));
    expect(streams.logStreams?.map((s) => s.logStreamName)).toEqual(['emf']);
    const events = await h.logs.send(
      new GetLogEventsCommand({ logGroupName: '/fleet/services/data', logStreamName: 'emf', startFromHead: true }),
    );
    expect(events.events?.map((e) => e.timestamp)).toEqual([t0 + 5000, t0 + 50_000]);
    expect(JSON.parse(events.events?.[0]?.message ?? '{}')).toMatchObject({ Service: 'data', ReadingsStored: 40 });
    const filtered = await h.logs.send(
      new FilterLogEventsCommand({ logGroupName: '/fleet/services/data', filterPattern: '{ $.ReadingsStored > 10 }' }),
    );
    expect(filtered.events).toHaveLength(1);

    // EMF metrics survived the restart too.
    expect((await stats('ReadingsStored')).Datapoints?.[0]?.Sum).toBe(42);
  });

  it('ignores a bad directive without crashing, still storing the log line', async () => {
    const bad = emf({ Service: 'data', Oops: 'NaN' }, [{ Namespace: 'Fleet', Dimensions: [['Service']], Metrics: [{ Name: 'Oops' }] }]);
    expect(h.standIn.ingestEmfLine(bad, '/fleet/services/data')).toBe(true);
    expect((await h.cloudwatch.send(new ListMetricsCommand({ Namespace: 'Fleet', MetricName: 'Oops' }))).Metrics).toEqual([]);
    await h.restart();
    const events = await h.logs.send(new GetLogEventsCommand({ logGroupName: '/fleet/services/data', logStreamName: 'emf', limit: 1 }));
    expect(events.events?.[0]?.message).toContain('Oops');
  });
});
