/**
 * Retention: how long raw readings, each rollup level and the S3 archive are kept, for the fleet
 * and the thing groups that override it. Operators read it; admins edit it (add, change and remove
 * group overrides), the problems shown before saving.
 */
import { retentionLevels, retentionLimits, type RetentionSettings } from '@fleet/core';
import { useCallback, useState } from 'react';
import type { Api } from '../api.ts';
import { ErrorNotice } from '../error-notice.tsx';
import { FormError, useSubmit } from '../form-kit.tsx';
import { shownTime } from '../format.ts';
import { usePolled } from '../polling.ts';
import { draftOf, fieldLabels, policyFields, settingsOf, type PolicyField, type RetentionDraft } from './retention-draft.ts';

export function RetentionPanel(props: { api: Api; mayEdit: boolean }) {
  const { api } = props;
  const load = useCallback(() => api.retention(), [api]);
  const { value, error, refresh } = usePolled(load);
  const [draft, setDraft] = useState<RetentionDraft>();

  return (
    <div className="card">
      <h2>Retention</h2>
      <p className="muted">
        Days each kind of data is kept. A group&apos;s override applies to its devices (the longest of their groups); a change applies to
        data written after it.
      </p>
      <ErrorNotice error={error} />
      {!value && error === undefined && <p className="muted">Loading…</p>}
      {value && !draft && <RetentionTable settings={value} />}
      {value && !draft && props.mayEdit && <button onClick={() => setDraft(draftOf(value))}>Edit retention</button>}
      {draft && (
        <RetentionForm
          api={api}
          draft={draft}
          onChange={setDraft}
          onDone={() => {
            setDraft(undefined);
            void refresh();
          }}
        />
      )}
    </div>
  );
}

function RetentionTable({ settings }: { settings: RetentionSettings }) {
  const rows = [{ name: 'fleet', policy: settings.fleet as Partial<Record<PolicyField, number>> }].concat(
    Object.entries(settings.groups).map(([name, policy]) => ({ name: `group ${name}`, policy })),
  );
  return (
    <>
      <div className="table-scroll">
        <table data-testid="retention-table">
          <thead>
            <tr>
              <th>Applies to</th>
              {policyFields.map((f) => (
                <th key={f}>{fieldLabels[f]}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.name}>
                <td>{row.name}</td>
                {policyFields.map((f) => (
                  <td key={f} data-testid={`retention-${row.name.replace(' ', '-')}-${f}`}>
                    {row.policy[f] ?? (f === 'archiveDays' ? '—' : 'fleet')}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {settings.updatedAt && (
        <p className="muted">
          Changed {shownTime(settings.updatedAt)}
          {settings.updatedBy ? ` by ${settings.updatedBy}` : ''}.
        </p>
      )}
    </>
  );
}

function RetentionForm(props: { api: Api; draft: RetentionDraft; onChange: (d: RetentionDraft) => void; onDone: () => void }) {
  const { draft, onChange } = props;
  const { error, busy, run } = useSubmit();
  const checked = settingsOf(draft);
  const box = (label: string, value: string, set: (v: string) => void, placeholder = '') => (
    <input
      aria-label={label}
      type="number"
      min={retentionLimits.minDays}
      max={retentionLimits.maxDays}
      step={1}
      value={value}
      placeholder={placeholder}
      onChange={(e) => set(e.target.value)}
      style={{ width: '6rem' }}
    />
  );
  const setGroup = (i: number, next: RetentionDraft['groups'][number] | undefined) =>
    onChange({ ...draft, groups: draft.groups.flatMap((g, j) => (j !== i ? [g] : next ? [next] : [])) });

  return (
    <form
      className="wide"
      onSubmit={run(async () => {
        if (!checked.ok) return;
        await props.api.saveRetention(checked.input);
        props.onDone();
      })}
    >
      <fieldset>
        <legend>Fleet (days)</legend>
        {policyFields.map((f) => (
          <label key={f}>
            {fieldLabels[f]}
            {box(`Fleet ${fieldLabels[f]} (days)`, draft.fleet[f], (v) => onChange({ ...draft, fleet: { ...draft.fleet, [f]: v } }))}
          </label>
        ))}
      </fieldset>
      {draft.groups.map((g, i) => (
        <fieldset key={i} data-testid={`retention-group-${i}`}>
          <legend>Group override (days; empty: the fleet&apos;s)</legend>
          <label>
            Thing group
            <input aria-label={`Group ${i + 1} name`} value={g.name} onChange={(e) => setGroup(i, { ...g, name: e.target.value })} />
          </label>
          {retentionLevels.map((l) => (
            <label key={l}>
              {fieldLabels[l]}
              {box(
                `Group ${g.name || i + 1} ${fieldLabels[l]} (days)`,
                g.values[l] ?? '',
                (v) => setGroup(i, { ...g, values: { ...g.values, [l]: v } }),
                draft.fleet[l],
              )}
            </label>
          ))}
          <button
            type="button"
            className="danger"
            aria-label={`Remove the override of group ${g.name || i + 1}`}
            onClick={() => setGroup(i, undefined)}
          >
            Remove override
          </button>
        </fieldset>
      ))}
      <div className="actions-cell">
        <button
          type="button"
          className="secondary"
          onClick={() => onChange({ ...draft, groups: [...draft.groups, { name: '', values: {} }] })}
        >
          Add group override
        </button>
      </div>
      {!checked.ok && (
        <ul className="error" data-testid="retention-problems" aria-live="polite">
          {checked.problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      <div className="actions-cell">
        <button type="submit" disabled={busy || !checked.ok}>
          Save retention
        </button>
        <button type="button" className="secondary" onClick={props.onDone}>
          Cancel
        </button>
      </div>
      <FormError error={error} />
    </form>
  );
}
