/**
 * How a metric alarm decides its state, copied from "Evaluating an alarm" and "Configuring how
 * CloudWatch alarms treat missing data"
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-evaluation.html):
 * the last EvaluationPeriods complete periods form the evaluation range; the alarm goes to ALARM
 * when at least DatapointsToAlarm of them breach the threshold. Missing periods count as
 * breaching (`breaching`), as good (`notBreaching`), are skipped (`missing`: all missing →
 * INSUFFICIENT_DATA) or keep the current state when all are missing (`ignore`).
 */
import type { Dimension } from './metric-store.ts';
import type { StatisticName } from './metric-store.ts';

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
export type TreatMissingData = 'breaching' | 'notBreaching' | 'ignore' | 'missing';
export const comparisonOperators = {
  GreaterThanOrEqualToThreshold: { test: (v: number, t: number) => v >= t, words: 'greater than or equal to' },
  GreaterThanThreshold: { test: (v: number, t: number) => v > t, words: 'greater than' },
  LessThanThreshold: { test: (v: number, t: number) => v < t, words: 'less than' },
  LessThanOrEqualToThreshold: { test: (v: number, t: number) => v <= t, words: 'less than or equal to' },
} as const;
export type ComparisonOperator = keyof typeof comparisonOperators;

/** The configuration the evaluation needs (a subset of the stored alarm). */
export interface AlarmRule {
  readonly Namespace: string;
  readonly MetricName: string;
  readonly Dimensions: readonly Dimension[];
  readonly Statistic: StatisticName;
  readonly Unit?: string;
  readonly Period: number;
  readonly EvaluationPeriods: number;
  readonly DatapointsToAlarm?: number;
  readonly Threshold: number;
  readonly ComparisonOperator: ComparisonOperator;
  readonly TreatMissingData?: TreatMissingData;
}

export interface Evaluation {
  readonly state: AlarmState;
  readonly reason: string;
  /** JSON, as CloudWatch's StateReasonData. */
  readonly reasonData: string;
}

/** Periods evaluated at `now`: the last EvaluationPeriods complete ones, as [start, end) epoch ms. */
export function evaluationRange(rule: AlarmRule, now: number): { start: number; end: number } {
  const periodMs = rule.Period * 1000;
  const end = Math.floor(now / periodMs) * periodMs;
  return { start: end - rule.EvaluationPeriods * periodMs, end };
}

/**
 * Decides the state from the statistic of each period in the range (`values` by period start).
 * Returns the current state unchanged when missing data says so (`ignore`).
 */
export function evaluateAlarmRule(
  rule: AlarmRule,
  current: AlarmState,
  values: ReadonlyMap<number, { value: number; sampleCount: number }>,
  now: number,
): Evaluation {
  const { start, end } = evaluationRange(rule, now);
  const periodMs = rule.Period * 1000;
  const treat = rule.TreatMissingData ?? 'missing';
  const needed = rule.DatapointsToAlarm ?? rule.EvaluationPeriods;
  const op = comparisonOperators[rule.ComparisonOperator];
  const present: { timestamp: number; value: number; sampleCount: number }[] = [];
  for (let t = start; t < end; t += periodMs) {
    const v = values.get(t);
    if (v) present.push({ timestamp: t, ...v });
  }
  const missing = rule.EvaluationPeriods - present.length;
  const breachingPresent = present.filter((p) => op.test(p.value, rule.Threshold)).length;
  const breaching = breachingPresent + (treat === 'breaching' ? missing : 0);
  const reasonData = JSON.stringify({
    version: '1.0',
    queryDate: isoDate(now),
    startDate: isoDate(start),
    statistic: rule.Statistic,
    period: rule.Period,
    recentDatapoints: present.map((p) => p.value),
    threshold: rule.Threshold,
    evaluatedDatapoints: present.map((p) => ({ timestamp: isoDate(p.timestamp), sampleCount: p.sampleCount, value: p.value })),
  });

  if (present.length === 0 && (treat === 'missing' || treat === 'ignore')) {
    if (treat === 'ignore') return { state: current, reason: 'Missing data ignored: the alarm keeps its state.', reasonData };
    const s = rule.EvaluationPeriods === 1 ? '' : 's';
    return { state: 'INSUFFICIENT_DATA', reason: `Insufficient Data: ${rule.EvaluationPeriods} datapoint${s} were unknown.`, reasonData };
  }
  const points = present.map((p) => `${p.value} (${shortDate(p.timestamp)})`).join(', ');
  const counted = treat === 'missing' || treat === 'ignore' ? present.length : rule.EvaluationPeriods;
  if (breaching >= needed) {
    return {
      state: 'ALARM',
      reason: `Threshold Crossed: ${breaching} out of the last ${counted} datapoints [${points}] was ${op.words} the threshold (${rule.Threshold}) (minimum ${needed} datapoint${needed === 1 ? '' : 's'} for OK -> ALARM transition).`,
      reasonData,
    };
  }
  return {
    state: 'OK',
    reason: `Threshold Crossed: ${counted - breaching} out of the last ${counted} datapoints [${points}] was not ${op.words} the threshold (${rule.Threshold}) (minimum 1 datapoint for ALARM -> OK transition).`,
    reasonData,
  };
}

/** CloudWatch writes dates in reason data as `2026-11-24T11:51:00.000+0000`. */
function isoDate(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

/** And in reason text as `24/11/26 11:50:00` (dd/MM/yy HH:mm:ss, UTC). */
function shortDate(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCFullYear() % 100)} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}
