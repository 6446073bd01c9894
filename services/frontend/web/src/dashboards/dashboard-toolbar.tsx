/**
 * A dashboard's time range and auto-refresh, for all its widgets at once (ThingsBoard's time window
 * and refresh), and in edit mode its name and whether the organisation sees it. Anyone may change
 * range and refresh while looking; only an editor saves them with the dashboard.
 */
import { Field } from './field.tsx';
import {
  refreshIntervals,
  relativeRanges,
  type DashboardInput,
  type RefreshInterval,
  type RelativeRange,
  type TimeRange,
} from '@fleet/core';

const rangeLabels: Readonly<Record<RelativeRange, string>> = { '1h': 'Last hour', '24h': 'Last 24 hours', '7d': 'Last 7 days' };
const refreshLabels: Readonly<Record<RefreshInterval, string>> = { off: 'Off', '10s': '10 s', '30s': '30 s', '1m': '1 min', '5m': '5 min' };

/** `datetime-local` text in the browser's zone ↔ epoch ms. */
const localText = (ms: number) => {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
};
const fromLocalText = (text: string) => new Date(text).getTime();

export function DashboardToolbar(props: { draft: DashboardInput; editing: boolean; onChange: (draft: DashboardInput) => void }) {
  const { draft, editing, onChange } = props;
  const range = draft.timeRange;
  const setRange = (timeRange: TimeRange) => onChange({ ...draft, timeRange });
  return (
    <div className="dash-toolbar" role="group" aria-label="Dashboard settings">
      {editing && (
        <Field label="Name">
          {(id) => <input id={id} value={draft.name} onChange={(e) => onChange({ ...draft, name: e.target.value })} required />}
        </Field>
      )}
      <Field label="Time range">
        {(id) => (
          <select
            id={id}
            value={range.kind === 'relative' ? range.last : 'absolute'}
            onChange={(e) => {
              const value = e.target.value;
              if (value === 'absolute') {
                const to = Date.now();
                setRange({ kind: 'absolute', from: to - relativeRanges['24h'], to });
              } else setRange({ kind: 'relative', last: value as RelativeRange });
            }}
          >
            {(Object.keys(relativeRanges) as RelativeRange[]).map((r) => (
              <option key={r} value={r}>
                {rangeLabels[r]}
              </option>
            ))}
            <option value="absolute">Fixed range…</option>
          </select>
        )}
      </Field>
      {range.kind === 'absolute' && (
        <>
          {(['from', 'to'] as const).map((end) => (
            <Field key={end} label={end === 'from' ? 'From' : 'To'}>
              {(id) => (
                <input
                  id={id}
                  type="datetime-local"
                  value={localText(range[end])}
                  onChange={(e) => {
                    const ms = fromLocalText(e.target.value);
                    if (Number.isFinite(ms)) setRange({ ...range, [end]: ms });
                  }}
                />
              )}
            </Field>
          ))}
        </>
      )}
      <Field label="Auto-refresh">
        {(id) => (
          <select id={id} value={draft.refresh} onChange={(e) => onChange({ ...draft, refresh: e.target.value as RefreshInterval })}>
            {(Object.keys(refreshIntervals) as RefreshInterval[]).map((r) => (
              <option key={r} value={r}>
                {refreshLabels[r]}
              </option>
            ))}
          </select>
        )}
      </Field>
      {editing && (
        <label className="dash-check">
          <input type="checkbox" checked={draft.shared} onChange={(e) => onChange({ ...draft, shared: e.target.checked })} />
          Shared with the organisation (read-only for others)
        </label>
      )}
    </div>
  );
}
