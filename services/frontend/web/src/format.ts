/** How the app shows times, values, alarm definitions and rule actions, and reads back what a person typed. */
import type { AlarmCondition, AlarmDuration, AlarmScope, RuleActionView } from '@fleet/core';

/** "12 s ago", "5 min ago", "3 h ago", or the date for older times. */
export function timeAgo(iso: string, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return new Date(iso).toLocaleString();
}

/** A setting's value as a person reads it: text as is, anything else as JSON. */
export function shownValue(value: unknown): string {
  if (value === undefined) return '—';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** What a person typed as a value: JSON when it parses (numbers, true, objects), text otherwise. */
export function typedValue(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** A point in time as a person reads it, in their locale; '—' when there is none. */
export function shownTime(iso: string | undefined): string {
  return iso === undefined ? '—' : new Date(iso).toLocaleString();
}

/** An alarm definition's scope: "device sensor-1", "group north", "every device". */
export function describeScope(scope: AlarmScope): string {
  if (scope.kind === 'device') return `device ${scope.deviceId}`;
  if (scope.kind === 'group') return `group ${scope.groupName}`;
  return 'every device';
}

/** An alarm condition as a sentence: "temperature > 80", "no data for 10 min". */
export function describeCondition(condition: AlarmCondition): string {
  switch (condition.kind) {
    case 'above':
      return `${condition.metric} > ${condition.threshold}`;
    case 'below':
      return `${condition.metric} < ${condition.threshold}`;
    case 'outside':
      return `${condition.metric} outside ${condition.low}…${condition.high}`;
    case 'rateOfChange':
      return `${condition.metric} changes faster than ${condition.maxChangePerMinute}/min`;
    case 'noData':
      return `no data for ${condition.silentMinutes} min`;
  }
}

/** How long a condition must hold: "immediately", "for 60 s", "3 of 5 readings". */
export function describeDuration(duration: AlarmDuration): string {
  if (duration.kind === 'immediate') return 'immediately';
  if (duration.kind === 'forSeconds') return `for ${duration.seconds} s`;
  return `${duration.breaching} of ${duration.of} readings`;
}

/** A rule action as a person reads it. */
export function describeRuleAction(action: RuleActionView): string {
  switch (action.kind) {
    case 'republish':
      return `Republish to ${action.topic}`;
    case 'webhook':
      return `Webhook ${action.url}${action.destinationStatus ? ` (destination ${action.destinationStatus.toLowerCase().replace('_', ' ')})` : ''}`;
    case 'notify':
      return 'Notify the alarm channels';
    case 'other':
      return action.description;
  }
}

const numberFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });

/** A reading's value as a person reads it: at most two decimals, grouped digits (`21.12`, `1,234.5`), never `21.12245369171366`. */
export function shownNumber(value: number): string {
  return numberFormat.format(value);
}
