/**
 * Alarm definitions: what is watched, the condition and how long it must hold, the severity; edit,
 * enable/disable and delete for users who manage alarms (operators and admins).
 */
import { useAction } from '../use-action.ts';
import type { AlarmDefinition } from '@fleet/core';
import { useCallback, useState } from 'react';
import type { Api } from '../api.ts';
import { ErrorNotice } from '../error-notice.tsx';
import { describeCondition, describeDuration, describeScope } from '../format.ts';
import { usePolled } from '../polling.ts';
import { AlarmDefinitionForm, definitionOf, fieldsOf } from './alarm-definition-form.tsx';

export function AlarmDefinitionsPanel(props: { api: Api; mayManage: boolean }) {
  const { api, mayManage } = props;
  const load = useCallback(() => api.alarmDefinitions(), [api]);
  const { value, error, refresh } = usePolled(load);
  const [form, setForm] = useState<{ editing?: AlarmDefinition } | undefined>();
  const { act, error: actionError } = useAction(refresh);

  return (
    <>
      <div className="card">
        <h2>Alarm definitions</h2>
        <ErrorNotice error={error ?? actionError} />
        {!value && error === undefined && <p className="muted">Loading…</p>}
        {mayManage && !form && <button onClick={() => setForm({})}>New alarm</button>}
        {value && value.definitions.length === 0 && <p className="muted">No alarm is defined yet.</p>}
        {value && value.definitions.length > 0 && (
          <div className="table-scroll">
            <table data-testid="alarm-definition-list">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Watches</th>
                  <th>Condition</th>
                  <th>Severity</th>
                  <th>State</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {value.definitions.map((d) => (
                  <tr key={d.id} data-testid={`alarm-definition-${d.id}`}>
                    <td>
                      <strong>{d.name}</strong>
                      {d.description && <div className="muted">{d.description}</div>}
                    </td>
                    <td>{describeScope(d.scope)}</td>
                    <td>
                      {describeCondition(d.condition)}
                      {d.condition.kind !== 'noData' && `, ${describeDuration(d.duration)}`}
                      {d.autoClear ? '' : ' (cleared by hand)'}
                    </td>
                    <td>
                      <span className={`badge severity-${d.severity}`}>{d.severity}</span>
                    </td>
                    <td>{d.enabled ? 'enabled' : 'disabled'}</td>
                    <td>
                      {mayManage && (
                        <div className="actions-cell">
                          <button className="secondary" onClick={() => setForm({ editing: d })} aria-label={`Edit ${d.name}`}>
                            Edit
                          </button>
                          <button
                            className="secondary"
                            aria-label={`${d.enabled ? 'Disable' : 'Enable'} ${d.name}`}
                            onClick={() =>
                              void act(() =>
                                api.replaceAlarmDefinition(d.id, { ...definitionOf(fieldsOf(d)), enabled: !d.enabled }, d.version),
                              )()
                            }
                          >
                            {d.enabled ? 'Disable' : 'Enable'}
                          </button>
                          <button
                            className="danger"
                            aria-label={`Delete ${d.name}`}
                            onClick={() => {
                              if (window.confirm(`Delete the alarm ${d.name}?`)) void act(() => api.deleteAlarmDefinition(d.id))();
                            }}
                          >
                            Delete
                          </button>
                        </div>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
      {mayManage && form && (
        <AlarmDefinitionForm
          key={form.editing?.id ?? 'new'}
          api={api}
          {...(form.editing ? { editing: form.editing } : {})}
          onSaved={() => {
            setForm(undefined);
            void refresh();
          }}
          onCancel={() => setForm(undefined)}
        />
      )}
    </>
  );
}
