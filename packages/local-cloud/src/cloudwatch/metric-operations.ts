/**
 * CloudWatch metric operations: PutMetricData, ListMetrics, GetMetricStatistics, GetMetricData.
 * Shapes and limits follow the CloudWatch API reference
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/).
 */
import type { JsonOperation } from '../aws-endpoint/index.ts';
import { invalidMetricParameter, metricError, missingMetricParameter } from './cloudwatch-errors.ts';
import { standardUnits } from './metric-units.ts';
import {
  isStatisticName,
  minuteMs,
  statisticNames,
  statisticValue,
  type Aggregate,
  type Dimension,
  type MetricId,
  type MetricStore,
  type StatisticName,
} from './metric-store.ts';
import { requestFields, type Input } from '../aws-endpoint/index.ts';

export const read = requestFields({ invalid: invalidMetricParameter, missing: missingMetricParameter });

const pastLimitMs = 14 * 24 * 3600_000;
const futureLimitMs = 2 * 3600_000;
const maxDatapointsPerCall = 1440;
const listMetricsPageSize = 500;

export interface MetricOperationsDeps {
  readonly store: MetricStore;
  readonly clock: () => number;
}

/** Dimensions as CloudWatch takes them: at most 30, each with a name and a value. */
export function readDimensions(list: readonly unknown[] | undefined, member: string, requireValue = true): Dimension[] {
  const items = read.structures(list, member);
  if (items.length > 30) throw invalidMetricParameter(`The collection ${member} must not have a size greater than 30.`);
  const names = new Set<string>();
  return items.map((d, i) => {
    const Name = read.requiredString(d, 'Name');
    const Value = requireValue ? read.requiredString(d, 'Value') : (read.string(d, 'Value') ?? '');
    if (names.has(Name))
      throw invalidMetricParameter(`No Metric may specify the same dimension name twice (${member}.member.${i + 1}: ${Name}).`);
    names.add(Name);
    return { Name, Value };
  });
}

export function readUnit(input: Input, name = 'Unit'): string | undefined {
  const unit = read.string(input, name);
  if (unit !== undefined && !standardUnits.has(unit)) throw invalidMetricParameter(`The parameter ${name} has an invalid value: ${unit}.`);
  return unit;
}

function readPeriod(input: Input): number {
  const period = read.requiredNumber(input, 'Period');
  if (!Number.isInteger(period) || period < 1) throw invalidMetricParameter('The parameter Period must be a positive integer.');
  // CloudWatch also accepts 1, 5, 10, 20 and 30 s for high-resolution metrics; this store keeps minutes.
  if (period % 60 !== 0)
    throw invalidMetricParameter(`The local cloud keeps one-minute aggregates: Period must be a multiple of 60, received ${period}.`);
  return period;
}

function readMetricId(input: Input, member: string): MetricId {
  return {
    namespace: read.requiredString(input, 'Namespace'),
    metricName: read.requiredString(input, 'MetricName'),
    dimensions: readDimensions(read.list(input, 'Dimensions'), `${member}.Dimensions`),
  };
}

/** Turns one MetricDatum into the aggregate it contributes: Value, Values+Counts or StatisticValues. */
function datumAggregate(datum: Input, member: string): Aggregate {
  const value = read.number(datum, 'Value');
  const values = read.list(datum, 'Values');
  const counts = read.list(datum, 'Counts');
  const stats = read.object(datum, 'StatisticValues');
  const given = [value !== undefined, values !== undefined, stats !== undefined].filter(Boolean).length;
  if (given > 1) {
    throw metricError(
      'InvalidParameterCombinationException',
      `The parameters ${member}.Value, ${member}.Values and ${member}.StatisticValues are mutually exclusive.`,
    );
  }
  if (value !== undefined) return { count: 1, sum: value, min: value, max: value };
  if (stats) {
    const count = read.requiredNumber(stats, 'SampleCount');
    const sum = read.requiredNumber(stats, 'Sum');
    const min = read.requiredNumber(stats, 'Minimum');
    const max = read.requiredNumber(stats, 'Maximum');
    if (count <= 0) throw invalidMetricParameter(`The parameter ${member}.StatisticValues.SampleCount must be greater than 0.`);
    if (min > max) throw invalidMetricParameter(`The parameter ${member}.StatisticValues.Minimum must not exceed Maximum.`);
    return { count, sum, min, max };
  }
  if (values) {
    if (counts && counts.length !== values.length) {
      throw invalidMetricParameter(`The parameters ${member}.Values and ${member}.Counts must be of the same size.`);
    }
    const agg: Aggregate = { count: 0, sum: 0, min: Infinity, max: -Infinity };
    values.forEach((v, i) => {
      const c = counts ? counts[i] : 1;
      if (typeof v !== 'number' || typeof c !== 'number') throw invalidMetricParameter(`${member}.Values and Counts must hold numbers.`);
      if (c <= 0) return;
      agg.count += c;
      agg.sum += v * c;
      agg.min = Math.min(agg.min, v);
      agg.max = Math.max(agg.max, v);
    });
    return agg;
  }
  throw invalidMetricParameter(`The parameter ${member} must contain a Value, Values or StatisticValues.`);
}

function checkTimestamp(timestamp: number, now: number, member: string): void {
  if (timestamp < now - pastLimitMs)
    throw invalidMetricParameter(`The parameter ${member}.Timestamp must specify a time no more than two weeks in the past.`);
  if (timestamp > now + futureLimitMs)
    throw invalidMetricParameter(`The parameter ${member}.Timestamp must specify a time no more than two hours in the future.`);
}

function requestedStatistics(input: Input): StatisticName[] {
  const stats = read.stringList(input, 'Statistics') ?? [];
  if (read.list(input, 'ExtendedStatistics')?.length) {
    throw invalidMetricParameter(
      'The local cloud keeps count/sum/min/max aggregates only: ExtendedStatistics (percentiles) are not supported.',
    );
  }
  if (stats.length === 0) throw metricError('MissingRequiredParameterException', 'Must specify either Statistics or ExtendedStatistics.');
  for (const s of stats) {
    if (!isStatisticName(s))
      throw invalidMetricParameter(`The parameter Statistics has an invalid value: ${s}; expected one of ${statisticNames.join(', ')}.`);
  }
  return stats as StatisticName[];
}

function readRange(input: Input, periodSeconds: number): { start: number; end: number } {
  const start = read.timestampSeconds(input, 'StartTime');
  const end = read.timestampSeconds(input, 'EndTime');
  if (start === undefined) throw missingMetricParameter('StartTime');
  if (end === undefined) throw missingMetricParameter('EndTime');
  if (start >= end) throw invalidMetricParameter('The parameter StartTime must be less than the parameter EndTime.');
  const requested = Math.ceil((end - Math.floor(start / minuteMs) * minuteMs) / (periodSeconds * 1000));
  if (requested > maxDatapointsPerCall) {
    throw metricError(
      'InvalidParameterCombinationException',
      `You have requested up to ${requested} datapoints, which exceeds the limit of ${maxDatapointsPerCall}. You may reduce the datapoints requested by increasing Period, or decreasing the time range.`,
    );
  }
  return { start, end };
}

const seconds = (ms: number) => ms / 1000;

export function metricOperations(deps: MetricOperationsDeps): Record<string, JsonOperation> {
  const { store, clock } = deps;
  return {
    async PutMetricData(input) {
      const namespace = read.requiredString(input, 'Namespace');
      if (namespace.startsWith('AWS/')) throw invalidMetricParameter('The value AWS/ for parameter Namespace is invalid.');
      const data = read.structures(read.list(input, 'MetricData'), 'MetricData');
      if (data.length === 0) throw missingMetricParameter('MetricData');
      if (data.length > 1000) throw invalidMetricParameter('The collection MetricData must not have a size greater than 1000.');
      const now = clock();
      // Validate the whole request first: AWS accepts or rejects a PutMetricData as one.
      const parsed = data.map((datum, i) => {
        const member = `MetricData.member.${i + 1}`;
        const metricName = read.requiredString(datum, 'MetricName');
        const dimensions = readDimensions(read.list(datum, 'Dimensions'), `${member}.Dimensions`);
        const timestamp = read.timestampSeconds(datum, 'Timestamp') ?? now;
        checkTimestamp(timestamp, now, member);
        const unit = readUnit(datum) ?? 'None';
        return { metric: { namespace, metricName, dimensions }, unit, timestamp, aggregate: datumAggregate(datum, member) };
      });
      for (const p of parsed) store.record(p.metric, p.unit, p.timestamp, p.aggregate);
      return {};
    },

    async ListMetrics(input) {
      const namespace = read.string(input, 'Namespace');
      const metricName = read.string(input, 'MetricName');
      const filters = readDimensions(read.list(input, 'Dimensions'), 'Dimensions', false);
      const token = read.string(input, 'NextToken');
      const offset = token === undefined ? 0 : Number.parseInt(token, 10);
      if (!Number.isInteger(offset) || offset < 0) throw metricError('InvalidNextToken', 'The service returned an invalid NextToken.');
      const matching = store.metrics().filter(
        (m) =>
          (namespace === undefined || m.namespace === namespace) &&
          (metricName === undefined || m.metricName === metricName) &&
          // A filter dimension matches when the metric has it; a filter Value must also match.
          filters.every((f) => m.dimensions.some((d) => d.Name === f.Name && (f.Value === '' || d.Value === f.Value))),
      );
      const page = matching.slice(offset, offset + listMetricsPageSize);
      return {
        Metrics: page.map((m) => ({ Namespace: m.namespace, MetricName: m.metricName, Dimensions: m.dimensions })),
        NextToken: offset + listMetricsPageSize < matching.length ? String(offset + listMetricsPageSize) : undefined,
      };
    },

    async GetMetricStatistics(input) {
      const metric = readMetricId(input, '');
      const period = readPeriod(input);
      const stats = requestedStatistics(input);
      const unit = readUnit(input);
      const { start, end } = readRange(input, period);
      const datapoints = store.periods(metric, unit, start, end, period).map((p) => {
        const point: Record<string, unknown> = { Timestamp: seconds(p.timestamp), Unit: unit ?? p.unit ?? 'None' };
        for (const s of stats) point[s] = statisticValue(p.aggregate, s);
        return point;
      });
      return { Label: metric.metricName, Datapoints: datapoints };
    },

    async GetMetricData(input) {
      const queries = read.structures(read.list(input, 'MetricDataQueries'), 'MetricDataQueries');
      if (queries.length === 0) throw missingMetricParameter('MetricDataQueries');
      if (queries.length > 500) throw invalidMetricParameter('The collection MetricDataQueries must not have a size greater than 500.');
      const start = read.timestampSeconds(input, 'StartTime');
      const end = read.timestampSeconds(input, 'EndTime');
      if (start === undefined) throw missingMetricParameter('StartTime');
      if (end === undefined) throw missingMetricParameter('EndTime');
      if (start >= end) throw invalidMetricParameter('The parameter StartTime must be less than the parameter EndTime.');
      const scanBy = read.string(input, 'ScanBy') ?? 'TimestampDescending';
      if (scanBy !== 'TimestampDescending' && scanBy !== 'TimestampAscending')
        throw invalidMetricParameter(`The parameter ScanBy has an invalid value: ${scanBy}.`);
      const ids = new Set<string>();
      const results = [];
      for (const [i, query] of queries.entries()) {
        const id = read.requiredString(query, 'Id');
        if (!/^[a-z][a-zA-Z0-9_]*$/.test(id))
          throw invalidMetricParameter(
            `The value ${id} for parameter MetricDataQueries.member.${i + 1}.Id is invalid: it must start with a lowercase letter and hold only letters, digits and underscores.`,
          );
        if (ids.has(id)) throw invalidMetricParameter(`The value ${id} for parameter MetricDataQueries.member.${i + 1}.Id is not unique.`);
        ids.add(id);
        if (read.string(query, 'Expression') !== undefined) {
          throw invalidMetricParameter(
            `MetricDataQueries.member.${i + 1}: metric math and Metrics Insights expressions are not supported by the local cloud; use MetricStat.`,
          );
        }
        const stat = read.object(query, 'MetricStat');
        if (!stat)
          throw invalidMetricParameter(
            `MetricDataQueries.member.${i + 1} must have a MetricStat (expressions are not supported by the local cloud).`,
          );
        const metricInput = read.object(stat, 'Metric');
        if (!metricInput) throw missingMetricParameter(`MetricDataQueries.member.${i + 1}.MetricStat.Metric`);
        const metric = readMetricId(metricInput, `MetricDataQueries.member.${i + 1}.MetricStat.Metric`);
        const period = readPeriod(stat);
        const statName = read.requiredString(stat, 'Stat');
        if (!isStatisticName(statName))
          throw invalidMetricParameter(`The local cloud supports the statistics ${statisticNames.join(', ')}; received ${statName}.`);
        const unit = readUnit(stat);
        if (read.boolean(query, 'ReturnData') === false) continue;
        const points = store.periods(metric, unit, start, end, period);
        if (scanBy === 'TimestampDescending') points.reverse();
        results.push({
          Id: id,
          Label: read.string(query, 'Label') ?? metric.metricName,
          Timestamps: points.map((p) => seconds(p.timestamp)),
          Values: points.map((p) => statisticValue(p.aggregate, statName)),
          StatusCode: 'Complete',
        });
      }
      return { MetricDataResults: results, Messages: [] };
    },
  };
}
