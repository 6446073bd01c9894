/**
 * Creates or edits an alarm definition (alarm-contract.ts): what to watch (one device, a thing
 * group or every device), the condition, how long it must hold, the severity and auto-clear.
 * Editing sends the whole definition again with the version it was read at.
 */
import {
  alarmSeverities,
  type AlarmCondition,
  type AlarmDefinition,
  type AlarmDefinitionInput,
  type AlarmDuration,
  type AlarmScope,
  type AlarmSeverity,
} from '@fleet/core';
import { useState, type ReactNode } from 'react';
import type { Api } from '../api.ts';
import { FormError, useSubmit } from '../form-kit.tsx';

type ScopeKind = AlarmScope['kind'];
type ConditionKind = AlarmCondition['kind'];
type DurationKind = AlarmDuration['kind'];

const conditionLabels: Record<ConditionKind, string> = {
  above: 'above a threshold',
  below: 'below a threshold',
  outside: 'outside a range',
  rateOfChange: 'changes too fast',
  noData: 'no data',
};

/** Every field of the form as typed; numbers stay text until the definition is built. */
interface Fields {
  name: string;
  description: string;
  scope: ScopeKind;
  deviceId: string;
  groupName: string;
  condition: ConditionKind;
  metric: string;
  threshold: string;
  low: string;
  high: string;
  maxChangePerMinute: string;
  silentMinutes: string;
  duration: DurationKind;
  seconds: string;
  breaching: string;
  of: string;
  severity: AlarmSeverity;
  autoClear: boolean;
  enabled: boolean;
}

export function fieldsOf(d: AlarmDefinition | undefined): Fields {
  const c = d?.condition;
  const du = d?.duration;
  return {
    name: d?.name ?? '',
    description: d?.description ?? '',
    scope: d?.scope.kind ?? 'fleet',
    deviceId: d?.scope.kind === 'device' ? d.scope.deviceId : '',
    groupName: d?.scope.kind === 'group' ? d.scope.groupName : '',
    condition: c?.kind ?? 'above',
    metric: c && c.kind !== 'noData' ? c.metric : 'temperature',
    threshold: c && (c.kind === 'above' || c.kind === 'below') ? String(c.threshold) : '80',
    low: c?.kind === 'outside' ? String(c.low) : '0',
    high: c?.kind === 'outside' ? String(c.high) : '100',
    maxChangePerMinute: c?.kind === 'rateOfChange' ? String(c.maxChangePerMinute) : '10',
    silentMinutes: c?.kind === 'noData' ? String(c.silentMinutes) : '10',
    duration: du?.kind ?? 'immediate',
    seconds: du?.kind === 'forSeconds' ? String(du.seconds) : '60',
    breaching: du?.kind === 'readings' ? String(du.breaching) : '3',
    of: du?.kind === 'readings' ? String(du.of) : '5',
    severity: d?.severity ?? 'major',
    autoClear: d?.autoClear ?? true,
    enabled: d?.enabled ?? true,
  };
}

export function definitionOf(f: Fields): AlarmDefinitionInput {
  const scope: AlarmScope =
    f.scope === 'device'
      ? { kind: 'device', deviceId: f.deviceId.trim() }
      : f.scope === 'group'
        ? { kind: 'group', groupName: f.groupName.trim() }
        : { kind: 'fleet' };
  const metric = f.metric.trim();
  const condition: AlarmCondition =
    f.condition === 'above' || f.condition === 'below'
      ? { kind: f.condition, metric, threshold: Number(f.threshold) }
      : f.condition === 'outside'
        ? { kind: 'outside', metric, low: Number(f.low), high: Number(f.high) }
        : f.condition === 'rateOfChange'
          ? { kind: 'rateOfChange', metric, maxChangePerMinute: Number(f.maxChangePerMinute) }
          : { kind: 'noData', silentMinutes: Number(f.silentMinutes) };
  const duration: AlarmDuration =
    f.duration === 'forSeconds'
      ? { kind: 'forSeconds', seconds: Number(f.seconds) }
      : f.duration === 'readings'
        ? { kind: 'readings', breaching: Number(f.breaching), of: Number(f.of) }
        : { kind: 'immediate' };
  return {
    name: f.name.trim(),
    ...(f.description.trim() ? { description: f.description.trim() } : {}),
    scope,
    condition,
    duration,
    severity: f.severity,
    enabled: f.enabled,
    autoClear: f.autoClear,
  };
}

/**
 * A labelled control. Each control repeats its label in `aria-label`: a label that wraps a select or
 * an input would otherwise name it with the label and the control's value.
 */
function Field(props: { label: string; children: ReactNode }) {
  return (
    <label>
      {props.label}
      {props.children}
    </label>
  );
}

export function AlarmDefinitionForm(props: { api: Api; editing?: AlarmDefinition; onSaved: () => void; onCancel: () => void }) {
  const { editing } = props;
  const [f, setF] = useState<Fields>(() => fieldsOf(editing));
  const set =
    <K extends keyof Fields>(key: K) =>
    (value: Fields[K]) =>
      setF((old) => ({ ...old, [key]: value }));
  const text = (key: keyof Fields, label: string, type = 'text') => (
    <input
      aria-label={label}
      name={`alarm-${key}`}
      type={type}
      step={type === 'number' ? 'any' : undefined}
      value={String(f[key])}
      onChange={(e) => set(key)(e.target.value)}
      required={key !== 'description'}
    />
  );
  const { error, busy, run } = useSubmit();
  return (
    <div className="card">
      <h2>{editing ? `Edit alarm ${editing.name}` : 'New alarm'}</h2>
      <form
        className="wide"
        onSubmit={run(async () => {
          const input = definitionOf(f);
          if (editing) await props.api.replaceAlarmDefinition(editing.id, input, editing.version);
          else await props.api.createAlarmDefinition(input);
          props.onSaved();
        })}
      >
        <Field label="Name">{text('name', 'Name')}</Field>
        <Field label="Description">{text('description', 'Description')}</Field>
        <Field label="Watch">
          <select aria-label="Watch" name="alarm-scope" value={f.scope} onChange={(e) => set('scope')(e.target.value as ScopeKind)}>
            <option value="fleet">every device</option>
            <option value="device">one device</option>
            <option value="group">a thing group</option>
          </select>
        </Field>
        {f.scope === 'device' && <Field label="Device id">{text('deviceId', 'Device id')}</Field>}
        {f.scope === 'group' && <Field label="Thing group">{text('groupName', 'Thing group')}</Field>}
        <Field label="Condition">
          <select
            aria-label="Condition"
            name="alarm-condition"
            value={f.condition}
            onChange={(e) => set('condition')(e.target.value as ConditionKind)}
          >
            {(Object.keys(conditionLabels) as ConditionKind[]).map((k) => (
              <option key={k} value={k}>
                {conditionLabels[k]}
              </option>
            ))}
          </select>
        </Field>
        {f.condition !== 'noData' && <Field label="Metric">{text('metric', 'Metric')}</Field>}
        {(f.condition === 'above' || f.condition === 'below') && (
          <Field label="Threshold">{text('threshold', 'Threshold', 'number')}</Field>
        )}
        {f.condition === 'outside' && (
          <>
            <Field label="Low">{text('low', 'Low', 'number')}</Field>
            <Field label="High">{text('high', 'High', 'number')}</Field>
          </>
        )}
        {f.condition === 'rateOfChange' && (
          <Field label="Largest change per minute">{text('maxChangePerMinute', 'Largest change per minute', 'number')}</Field>
        )}
        {f.condition === 'noData' && <Field label="Silent for (minutes)">{text('silentMinutes', 'Silent for (minutes)', 'number')}</Field>}
        {f.condition !== 'noData' && (
          <Field label="Duration">
            <select
              aria-label="Duration"
              name="alarm-duration"
              value={f.duration}
              onChange={(e) => set('duration')(e.target.value as DurationKind)}
            >
              <option value="immediate">immediately</option>
              <option value="forSeconds">for N seconds</option>
              <option value="readings">M of the last N readings</option>
            </select>
          </Field>
        )}
        {f.condition !== 'noData' && f.duration === 'forSeconds' && <Field label="Seconds">{text('seconds', 'Seconds', 'number')}</Field>}
        {f.condition !== 'noData' && f.duration === 'readings' && (
          <>
            <Field label="Breaching readings (M)">{text('breaching', 'Breaching readings (M)', 'number')}</Field>
            <Field label="Of the last readings (N)">{text('of', 'Of the last readings (N)', 'number')}</Field>
          </>
        )}
        <Field label="Severity">
          <select
            aria-label="Severity"
            name="alarm-severity"
            value={f.severity}
            onChange={(e) => set('severity')(e.target.value as AlarmSeverity)}
          >
            {alarmSeverities.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </Field>
        <label>
          <span>
            <input name="alarm-auto-clear" type="checkbox" checked={f.autoClear} onChange={(e) => set('autoClear')(e.target.checked)} />{' '}
            Clear by itself when the condition no longer holds
          </span>
        </label>
        <label>
          <span>
            <input name="alarm-enabled" type="checkbox" checked={f.enabled} onChange={(e) => set('enabled')(e.target.checked)} /> Enabled
          </span>
        </label>
        <div className="actions-cell">
          <button type="submit" disabled={busy}>
            {editing ? 'Save alarm' : 'Create alarm'}
          </button>
          <button type="button" className="secondary" onClick={props.onCancel}>
            Cancel
          </button>
        </div>
      </form>
      <FormError error={error} />
    </div>
  );
}
