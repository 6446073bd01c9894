import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DeleteAlarmsCommand,
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  InvalidParameterCombinationException,
  InvalidParameterValueException,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
  ResourceNotFound,
  SetAlarmStateCommand,
  type PutMetricAlarmCommandInput,
} from '@aws-sdk/client-cloudwatch';
import { startHarness, type Harness } from '../testing/cloudwatch-harness.ts';

const t0 = Date.UTC(2026, 10, 24, 12, 0, 0);
const at = (seconds: number) => t0 + seconds * 1000;

const alarm = (name: string, extra: Partial<PutMetricAlarmCommandInput> = {}): PutMetricAlarmCommandInput => ({
  AlarmName: name,
  Namespace: 'Test/Alarms',
  MetricName: 'Temperature',
  Dimensions: [{ Name: 'Site', Value: 'north' }],
  Statistic: 'Maximum',
  Period: 60,
  EvaluationPeriods: 1,
  Threshold: 5,
  ComparisonOperator: 'GreaterThanThreshold',
  ...extra,
});

describe('CloudWatch alarms through @aws-sdk/client-cloudwatch', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({}, t0);
  });
  afterAll(() => h.close());

  const put = (seconds: number, value: number, MetricName = 'Temperature') =>
    h.cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: 'Test/Alarms',
        MetricData: [{ MetricName, Dimensions: [{ Name: 'Site', Value: 'north' }], Timestamp: new Date(at(seconds)), Value: value }],
      }),
    );
  const stateOf = async (name: string) => (await h.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [name] }))).MetricAlarms?.[0];

  it('creates an alarm in INSUFFICIENT_DATA and moves it OK → ALARM → OK as periods complete', async () => {
    await h.cloudwatch.send(
      new PutMetricAlarmCommand(alarm('hot', { AlarmDescription: 'too hot', AlarmActions: ['arn:aws:sns:us-east-1:000000000000:ops'] })),
    );
    const created = await stateOf('hot');
    expect(created).toMatchObject({
      AlarmName: 'hot',
      AlarmArn: 'arn:aws:cloudwatch:us-east-1:000000000000:alarm:hot',
      AlarmDescription: 'too hot',
      StateValue: 'INSUFFICIENT_DATA',
      StateReason: 'Unchecked: Initial alarm creation',
      Threshold: 5,
      ComparisonOperator: 'GreaterThanThreshold',
      Dimensions: [{ Name: 'Site', Value: 'north' }],
    });
    expect(created?.StateUpdatedTimestamp).toEqual(new Date(t0));

    await put(10, 1);
    h.clock.now = at(65); // minute 0 is complete: max 1 ≤ 5
    await h.standIn.evaluateAlarms();
    expect((await stateOf('hot'))?.StateValue).toBe('OK');

    await put(70, 9);
    h.clock.now = at(125);
    await h.standIn.evaluateAlarms();
    const alarmed = await stateOf('hot');
    expect(alarmed?.StateValue).toBe('ALARM');
    expect(alarmed?.StateReason).toMatch(
      /^Threshold Crossed: 1 out of the last 1 datapoints \[9 \(24\/11\/26 12:01:00\)\] was greater than the threshold \(5\)/,
    );
    expect(JSON.parse(alarmed?.StateReasonData ?? '{}')).toMatchObject({
      version: '1.0',
      statistic: 'Maximum',
      period: 60,
      recentDatapoints: [9],
      threshold: 5,
    });
    expect(alarmed?.StateTransitionedTimestamp).toEqual(new Date(at(125)));

    await put(130, 2);
    h.clock.now = at(185);
    await h.standIn.evaluateAlarms();
    expect((await stateOf('hot'))?.StateValue).toBe('OK');

    const history = await h.cloudwatch.send(new DescribeAlarmHistoryCommand({ AlarmName: 'hot', HistoryItemType: 'StateUpdate' }));
    expect(history.AlarmHistoryItems?.map((i) => i.HistorySummary)).toEqual([
      'Alarm updated from ALARM to OK',
      'Alarm updated from OK to ALARM',
      'Alarm updated from INSUFFICIENT_DATA to OK',
    ]);
    const newest = history.AlarmHistoryItems?.[0];
    expect(newest).toMatchObject({
      AlarmName: 'hot',
      AlarmType: 'MetricAlarm',
      HistoryItemType: 'StateUpdate',
      Timestamp: new Date(at(185)),
    });
    expect(JSON.parse(newest?.HistoryData ?? '{}')).toMatchObject({
      version: '1.0',
      oldState: { stateValue: 'ALARM' },
      newState: { stateValue: 'OK', stateReasonData: { recentDatapoints: [2] } },
    });
    const all = await h.cloudwatch.send(new DescribeAlarmHistoryCommand({ AlarmName: 'hot', ScanBy: 'TimestampAscending' }));
    expect(all.AlarmHistoryItems?.[0]).toMatchObject({ HistoryItemType: 'ConfigurationUpdate', HistorySummary: 'Alarm "hot" created' });
  });

  it('goes to INSUFFICIENT_DATA when every period is missing (TreatMissingData missing)', async () => {
    h.clock.now = at(600);
    await h.standIn.evaluateAlarms();
    expect((await stateOf('hot'))?.StateValue).toBe('INSUFFICIENT_DATA');
  });

  it('treats missing data as breaching, not breaching or ignored as configured', async () => {
    await h.cloudwatch.send(new PutMetricAlarmCommand(alarm('missing-breaches', { MetricName: 'Silent', TreatMissingData: 'breaching' })));
    await h.cloudwatch.send(
      new PutMetricAlarmCommand(alarm('missing-is-fine', { MetricName: 'Silent', TreatMissingData: 'notBreaching' })),
    );
    await h.cloudwatch.send(new PutMetricAlarmCommand(alarm('missing-ignored', { MetricName: 'Silent', TreatMissingData: 'ignore' })));
    await h.standIn.evaluateAlarms();
    expect((await stateOf('missing-breaches'))?.StateValue).toBe('ALARM');
    expect((await stateOf('missing-is-fine'))?.StateValue).toBe('OK');
    expect((await stateOf('missing-ignored'))?.StateValue).toBe('INSUFFICIENT_DATA');
  });

  it('needs DatapointsToAlarm breaching periods out of EvaluationPeriods (M of N)', async () => {
    await h.cloudwatch.send(
      new PutMetricAlarmCommand(alarm('two-of-three', { MetricName: 'Spiky', EvaluationPeriods: 3, DatapointsToAlarm: 2 })),
    );
    await put(600, 9, 'Spiky');
    await put(660, 1, 'Spiky');
    await put(720, 1, 'Spiky');
    h.clock.now = at(780);
    await h.standIn.evaluateAlarms();
    expect((await stateOf('two-of-three'))?.StateValue).toBe('OK');
    await put(780, 9, 'Spiky');
    h.clock.now = at(840); // periods 660, 720, 780: one breach
    await h.standIn.evaluateAlarms();
    expect((await stateOf('two-of-three'))?.StateValue).toBe('OK');
    await put(840, 9, 'Spiky');
    h.clock.now = at(900); // periods 720, 780, 840: two breaches
    await h.standIn.evaluateAlarms();
    expect((await stateOf('two-of-three'))?.StateValue).toBe('ALARM');
  });

  it('describes alarms by names, prefix and state, and refuses names together with a prefix', async () => {
    const byPrefix = await h.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'missing-' }));
    expect(byPrefix.MetricAlarms?.map((a) => a.AlarmName)).toEqual(['missing-breaches', 'missing-ignored', 'missing-is-fine']);
    const inAlarm = await h.cloudwatch.send(new DescribeAlarmsCommand({ StateValue: 'ALARM' }));
    expect(inAlarm.MetricAlarms?.map((a) => a.AlarmName)).toEqual(['missing-breaches', 'two-of-three']);
    const byNames = await h.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ['hot', 'no-such-alarm'] }));
    expect(byNames.MetricAlarms?.map((a) => a.AlarmName)).toEqual(['hot']);
    const paged = await h.cloudwatch.send(new DescribeAlarmsCommand({ MaxRecords: 2 }));
    expect(paged.MetricAlarms).toHaveLength(2);
    const rest = await h.cloudwatch.send(new DescribeAlarmsCommand({ MaxRecords: 2, NextToken: paged.NextToken }));
    expect(rest.MetricAlarms?.[0]?.AlarmName).not.toBe(paged.MetricAlarms?.[0]?.AlarmName);
    await expect(h.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ['hot'], AlarmNamePrefix: 'h' }))).rejects.toBeInstanceOf(
      InvalidParameterCombinationException,
    );
  });

  it('sets a state by hand until the next evaluation, and refuses unknown alarms', async () => {
    await h.cloudwatch.send(
      new SetAlarmStateCommand({ AlarmName: 'missing-is-fine', StateValue: 'ALARM', StateReason: 'testing actions' }),
    );
    const forced = await stateOf('missing-is-fine');
    expect(forced).toMatchObject({ StateValue: 'ALARM', StateReason: 'testing actions' });
    await h.standIn.evaluateAlarms();
    expect((await stateOf('missing-is-fine'))?.StateValue).toBe('OK');

    const unknown = h.cloudwatch.send(new SetAlarmStateCommand({ AlarmName: 'ghost', StateValue: 'OK', StateReason: 'x' }));
    await expect(unknown).rejects.toBeInstanceOf(ResourceNotFound);
    await expect(h.cloudwatch.send(new DeleteAlarmsCommand({ AlarmNames: ['ghost'] }))).rejects.toBeInstanceOf(ResourceNotFound);
  });

  it('validates PutMetricAlarm', async () => {
    await expect(h.cloudwatch.send(new PutMetricAlarmCommand(alarm('bad', { Period: 45 })))).rejects.toBeInstanceOf(
      InvalidParameterValueException,
    );
    await expect(
      h.cloudwatch.send(new PutMetricAlarmCommand(alarm('bad', { ComparisonOperator: 'LessThanLowerThreshold' }))),
    ).rejects.toBeInstanceOf(InvalidParameterValueException);
    await expect(
      h.cloudwatch.send(new PutMetricAlarmCommand(alarm('bad', { EvaluationPeriods: 1, DatapointsToAlarm: 2 }))),
    ).rejects.toBeInstanceOf(InvalidParameterValueException);
    expect((await h.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ['bad'] }))).MetricAlarms).toEqual([]);
  });

  it('updating an alarm keeps its state, as on AWS', async () => {
    expect((await stateOf('two-of-three'))?.StateValue).toBe('ALARM');
    await h.cloudwatch.send(
      new PutMetricAlarmCommand(alarm('two-of-three', { MetricName: 'Spiky', EvaluationPeriods: 3, DatapointsToAlarm: 2, Threshold: 8 })),
    );
    expect(await stateOf('two-of-three')).toMatchObject({ StateValue: 'ALARM', Threshold: 8 });
  });

  it('keeps alarms, states and history across a close and re-create', async () => {
    await h.restart();
    expect((await stateOf('two-of-three'))?.StateValue).toBe('ALARM');
    const history = await h.cloudwatch.send(new DescribeAlarmHistoryCommand({ AlarmName: 'hot', HistoryItemType: 'StateUpdate' }));
    expect(history.AlarmHistoryItems).toHaveLength(4);
  });

  it('deletes alarms', async () => {
    await h.cloudwatch.send(new DeleteAlarmsCommand({ AlarmNames: ['missing-breaches', 'missing-ignored'] }));
    const left = await h.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'missing-' }));
    expect(left.MetricAlarms?.map((a) => a.AlarmName)).toEqual(['missing-is-fine']);
  });
});

describe('alarm evaluation timer', () => {
  it('evaluates alarms by itself while open', async () => {
    const h = await startHarness({ evaluationIntervalMs: 20 }, t0);
    try {
      await h.cloudwatch.send(new PutMetricAlarmCommand(alarm('auto', { TreatMissingData: 'breaching' })));
      const deadline = Date.now() + 5000;
      let state: string | undefined;
      while (Date.now() < deadline) {
        state = (await h.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ['auto'] }))).MetricAlarms?.[0]?.StateValue;
        if (state === 'ALARM') break;
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(state).toBe('ALARM');
    } finally {
      await h.close();
    }
  });
});
