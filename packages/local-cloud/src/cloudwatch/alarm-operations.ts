/**
 * CloudWatch alarm operations: PutMetricAlarm, DescribeAlarms, DeleteAlarms, SetAlarmState,
 * DescribeAlarmHistory. Metric math alarms, composite alarms and anomaly detection are not
 * served (clear InvalidParameterValue errors); alarm actions are recorded, not executed.
 */
import type { JsonOperation } from '../aws-endpoint/index.ts';
import { comparisonOperators, type AlarmState, type ComparisonOperator, type TreatMissingData } from './alarm-evaluation.ts';
import { describe, type AlarmStore, type HistoryItemType, type StoredAlarm } from './alarm-store.ts';
import { invalidMetricParameter, metricError, missingMetricParameter } from './cloudwatch-errors.ts';
import { isStatisticName, statisticNames } from './metric-store.ts';
import { read, readDimensions, readUnit } from './metric-operations.ts';
import type { Input } from '../aws-endpoint/index.ts';

export interface AlarmOperationsDeps {
  readonly alarms: AlarmStore;
  readonly clock: () => number;
  readonly region: string;
  readonly accountId: string;
}

const alarmStates: readonly AlarmState[] = ['OK', 'ALARM', 'INSUFFICIENT_DATA'];
const treatments: readonly TreatMissingData[] = ['breaching', 'notBreaching', 'ignore', 'missing'];
const historyTypes: readonly HistoryItemType[] = ['ConfigurationUpdate', 'StateUpdate', 'Action'];

function readMaxRecords(input: Input): number {
  const max = read.number(input, 'MaxRecords') ?? 50;
  if (!Number.isInteger(max) || max < 1 || max > 100) throw invalidMetricParameter('The parameter MaxRecords must be between 1 and 100.');
  return max;
}

function readOffsetToken(input: Input): number {
  const token = read.string(input, 'NextToken');
  if (token === undefined) return 0;
  const offset = Number.parseInt(token, 10);
  if (!Number.isInteger(offset) || offset < 0 || String(offset) !== token)
    throw metricError('InvalidNextToken', 'The service returned an invalid NextToken.');
  return offset;
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], name: string): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value))
    throw invalidMetricParameter(`The parameter ${name} has an invalid value: ${value}; expected one of ${allowed.join(', ')}.`);
  return value as T;
}

export function alarmOperations(deps: AlarmOperationsDeps): Record<string, JsonOperation> {
  const { alarms, clock } = deps;

  function readAlarm(input: Input): StoredAlarm {
    const name = read.requiredString(input, 'AlarmName');
    if (name.length > 255) throw invalidMetricParameter('The parameter AlarmName must be at most 255 characters.');
    if (read.list(input, 'Metrics') !== undefined)
      throw invalidMetricParameter(
        'Metric math alarms (Metrics) are not supported by the local cloud; give MetricName, Namespace and Statistic.',
      );
    if (read.string(input, 'ThresholdMetricId') !== undefined)
      throw invalidMetricParameter('Anomaly detection alarms (ThresholdMetricId) are not supported by the local cloud.');
    if (read.string(input, 'ExtendedStatistic') !== undefined)
      throw invalidMetricParameter(
        'The local cloud keeps count/sum/min/max aggregates only: ExtendedStatistic (percentiles) is not supported.',
      );
    const statistic = read.requiredString(input, 'Statistic');
    if (!isStatisticName(statistic))
      throw invalidMetricParameter(
        `The parameter Statistic has an invalid value: ${statistic}; expected one of ${statisticNames.join(', ')}.`,
      );
    const operator = read.requiredString(input, 'ComparisonOperator');
    if (!(operator in comparisonOperators))
      throw invalidMetricParameter(
        `The parameter ComparisonOperator has an invalid value: ${operator}; the local cloud supports ${Object.keys(comparisonOperators).join(', ')}.`,
      );
    const period = read.requiredNumber(input, 'Period');
    if (!Number.isInteger(period) || period < 60 || period % 60 !== 0) {
      throw invalidMetricParameter(`The local cloud keeps one-minute aggregates: Period must be a multiple of 60, received ${period}.`);
    }
    const evaluationPeriods = read.requiredNumber(input, 'EvaluationPeriods');
    if (!Number.isInteger(evaluationPeriods) || evaluationPeriods < 1)
      throw invalidMetricParameter('The parameter EvaluationPeriods must be a positive integer.');
    const datapointsToAlarm = read.number(input, 'DatapointsToAlarm');
    if (
      datapointsToAlarm !== undefined &&
      (!Number.isInteger(datapointsToAlarm) || datapointsToAlarm < 1 || datapointsToAlarm > evaluationPeriods)
    ) {
      throw invalidMetricParameter('DatapointsToAlarm must be a positive integer no greater than EvaluationPeriods.');
    }
    const now = clock();
    return {
      AlarmName: name,
      AlarmArn: `arn:aws:cloudwatch:${deps.region}:${deps.accountId}:alarm:${name}`,
      AlarmDescription: read.string(input, 'AlarmDescription'),
      ActionsEnabled: read.boolean(input, 'ActionsEnabled') ?? true,
      OKActions: read.stringList(input, 'OKActions') ?? [],
      AlarmActions: read.stringList(input, 'AlarmActions') ?? [],
      InsufficientDataActions: read.stringList(input, 'InsufficientDataActions') ?? [],
      Namespace: read.requiredString(input, 'Namespace'),
      MetricName: read.requiredString(input, 'MetricName'),
      Dimensions: readDimensions(read.list(input, 'Dimensions'), 'Dimensions'),
      Statistic: statistic,
      Unit: readUnit(input),
      Period: period,
      EvaluationPeriods: evaluationPeriods,
      DatapointsToAlarm: datapointsToAlarm,
      Threshold: read.requiredNumber(input, 'Threshold'),
      ComparisonOperator: operator as ComparisonOperator,
      TreatMissingData: oneOf(read.string(input, 'TreatMissingData'), treatments, 'TreatMissingData'),
      AlarmConfigurationUpdatedTimestamp: now,
      StateValue: 'INSUFFICIENT_DATA',
      StateReason: 'Unchecked: Initial alarm creation',
      StateUpdatedTimestamp: now,
      StateTransitionedTimestamp: now,
    };
  }

  return {
    async PutMetricAlarm(input) {
      alarms.put(readAlarm(input));
      return {};
    },

    async DescribeAlarms(input) {
      const names = read.stringList(input, 'AlarmNames');
      const prefix = read.string(input, 'AlarmNamePrefix');
      if (names && prefix !== undefined) {
        throw metricError('InvalidParameterCombinationException', 'AlarmNamePrefix and AlarmNames cannot be used together.');
      }
      if (names && names.length > 100) throw invalidMetricParameter('The collection AlarmNames must not have a size greater than 100.');
      const state = oneOf(read.string(input, 'StateValue'), alarmStates, 'StateValue');
      const actionPrefix = read.string(input, 'ActionPrefix');
      const types = read.stringList(input, 'AlarmTypes');
      const max = readMaxRecords(input);
      const offset = readOffsetToken(input);
      const wantMetric = !types || types.length === 0 || types.includes('MetricAlarm');
      const matching = wantMetric
        ? alarms
            .all()
            .filter(
              (a) =>
                (!names || names.includes(a.AlarmName)) &&
                (prefix === undefined || a.AlarmName.startsWith(prefix)) &&
                (state === undefined || a.StateValue === state) &&
                (actionPrefix === undefined ||
                  [...a.AlarmActions, ...a.OKActions, ...a.InsufficientDataActions].some((x) => x.startsWith(actionPrefix))),
            )
        : [];
      const page = matching.slice(offset, offset + max);
      return {
        MetricAlarms: page.map(describe),
        CompositeAlarms: [],
        NextToken: offset + max < matching.length ? String(offset + max) : undefined,
      };
    },

    async DeleteAlarms(input) {
      const names = read.stringList(input, 'AlarmNames') ?? [];
      if (names.length === 0) throw missingMetricParameter('AlarmNames');
      if (names.length > 100) throw invalidMetricParameter('The collection AlarmNames must not have a size greater than 100.');
      const unknown = names.filter((n) => !alarms.get(n));
      // AWS refuses the whole call when an alarm does not exist.
      if (unknown.length > 0) throw metricError('ResourceNotFound', `${unknown.length} alarm(s) not found: ${unknown.join(', ')}`);
      alarms.delete(names);
      return {};
    },

    async SetAlarmState(input) {
      const name = read.requiredString(input, 'AlarmName');
      const state = oneOf(read.requiredString(input, 'StateValue'), alarmStates, 'StateValue') as AlarmState;
      const reason = read.requiredString(input, 'StateReason');
      const reasonData = read.string(input, 'StateReasonData');
      if (reasonData !== undefined) {
        try {
          JSON.parse(reasonData);
        } catch {
          throw metricError('InvalidParameterValueException', 'The parameter StateReasonData must be valid JSON.');
        }
      }
      if (!alarms.get(name)) throw metricError('ResourceNotFound', `Alarm ${name} not found`);
      alarms.setState(name, state, reason, reasonData);
      return {};
    },

    async DescribeAlarmHistory(input) {
      const name = read.string(input, 'AlarmName');
      const type = oneOf(read.string(input, 'HistoryItemType'), historyTypes, 'HistoryItemType');
      const types = read.stringList(input, 'AlarmTypes');
      const start = read.timestampSeconds(input, 'StartDate');
      const end = read.timestampSeconds(input, 'EndDate');
      const scanBy = read.string(input, 'ScanBy') ?? 'TimestampDescending';
      if (scanBy !== 'TimestampDescending' && scanBy !== 'TimestampAscending')
        throw invalidMetricParameter(`The parameter ScanBy has an invalid value: ${scanBy}.`);
      const max = readMaxRecords(input);
      const offset = readOffsetToken(input);
      const wantMetric = !types || types.length === 0 || types.includes('MetricAlarm');
      const matching = wantMetric
        ? alarms
            .history()
            .filter(
              (h) =>
                (name === undefined || h.AlarmName === name) &&
                (type === undefined || h.HistoryItemType === type) &&
                (start === undefined || h.Timestamp >= start) &&
                (end === undefined || h.Timestamp <= end),
            )
        : [];
      // History is appended in time order; newest first unless asked otherwise.
      const ordered = scanBy === 'TimestampDescending' ? [...matching].reverse() : matching;
      const page = ordered.slice(offset, offset + max);
      return {
        AlarmHistoryItems: page.map((h) => ({ ...h, Timestamp: h.Timestamp / 1000 })),
        NextToken: offset + max < ordered.length ? String(offset + max) : undefined,
      };
    },
  };
}
