/**
 * The device page's editor of metric display settings (fleet-wide: a unit set here shows on every
 * device): per metric a label, a unit and decimals, saved with `PUT /api/metric-settings/<metric>`
 * or reset to the defaults. Shown to who may change them (`manageMetricSettings`).
 */
import { metricSettingLimits, type MetricSettingInput } from '@fleet/core';
import { useState } from 'react';
import type { Api } from '../api.ts';
import { ErrorNotice } from '../error-notice.tsx';
import { formatValue, type MetricDisplay } from '../format.ts';

/** What a person typed, as the API takes it: an empty field is left out (its default applies). */
export function settingOfDraft(draft: { label: string; unit: string; decimals: string }): MetricSettingInput {
  const label = draft.label.trim();
  const unit = draft.unit.trim();
  const decimals = draft.decimals.trim();
  return { ...(label ? { label } : {}), ...(unit ? { unit } : {}), ...(decimals ? { decimals: Number(decimals) } : {}) };
}

function MetricSettingRow(props: {
  api: Api;
  metric: string;
  setting: MetricSettingInput | undefined;
  sample?: number;
  onSaved: () => void;
}) {
  const { metric, setting } = props;
  const [draft, setDraft] = useState({
    label: setting?.label ?? '',
    unit: setting?.unit ?? '',
    decimals: setting?.decimals?.toString() ?? '',
  });
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const run = (action: () => Promise<unknown>) => async () => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
      props.onSaved();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const field = (name: keyof typeof draft, label: string, extra: Record<string, unknown> = {}) => (
    <input
      aria-label={`${label} of ${metric}`}
      name={`${name}-${metric}`}
      value={draft[name]}
      onChange={(e) => setDraft({ ...draft, [name]: e.target.value })}
      {...extra}
    />
  );
  return (
    <tr data-testid={`metric-setting-${metric}`}>
      <th scope="row">{metric}</th>
      <td>{field('label', 'Label', { placeholder: metric, maxLength: metricSettingLimits.maxLabelLength })}</td>
      <td>{field('unit', 'Unit', { placeholder: 'none', maxLength: metricSettingLimits.maxUnitLength, size: 6 })}</td>
      <td>
        {field('decimals', 'Decimals', {
          type: 'number',
          min: 0,
          max: metricSettingLimits.maxDecimals,
          step: 1,
          placeholder: `≤ ${metricSettingLimits.defaultMaxDecimals}`,
          style: { width: '5em' },
        })}
      </td>
      <td className="muted">{props.sample === undefined ? '—' : formatValue(props.sample, settingOfDraft(draft))}</td>
      <td className="actions-cell">
        <button disabled={busy} onClick={() => void run(() => props.api.saveMetricSetting(metric, settingOfDraft(draft)))()}>
          Save
        </button>
        {setting && (
          <button
            className="secondary"
            disabled={busy}
            onClick={() =>
              void run(async () => {
                await props.api.removeMetricSetting(metric);
                setDraft({ label: '', unit: '', decimals: '' });
              })()
            }
          >
            Reset
          </button>
        )}
        <ErrorNotice error={error} />
      </td>
    </tr>
  );
}

export function MetricSettingsEditor(props: {
  api: Api;
  metrics: readonly string[];
  display: MetricDisplay;
  /** A recent value of each metric, to show how it will read. */
  samples: Readonly<Record<string, number>>;
  onSaved: () => void;
}) {
  if (props.metrics.length === 0) return null;
  return (
    <details className="card" data-testid="metric-settings">
      <summary>
        <h3 style={{ display: 'inline' }}>Metric display</h3> <span className="muted">(units and decimals, for the whole fleet)</span>
      </summary>
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">Metric</th>
              <th scope="col">Label</th>
              <th scope="col">Unit</th>
              <th scope="col">Decimals</th>
              <th scope="col">Reads as</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {props.metrics.map((m) => (
              <MetricSettingRow
                // A saved setting from elsewhere starts the row over from it.
                key={`${m}:${JSON.stringify(props.display[m] ?? {})}`}
                api={props.api}
                metric={m}
                setting={props.display[m]}
                {...(props.samples[m] === undefined ? {} : { sample: props.samples[m] })}
                onSaved={props.onSaved}
              />
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}
