/**
 * Topic rules: the platform's (read-only, marked) and the users' own, with enable/disable, edit and
 * delete for those who may manage rules (admins), and the test bench for everyone who reads them.
 */
import { useAction } from '../use-action.ts';
import type { Rule } from '@fleet/core';
import { useCallback, useState } from 'react';
import type { Api } from '../api.ts';
import { ErrorNotice } from '../error-notice.tsx';
import { describeRuleAction } from '../format.ts';
import { usePolled } from '../polling.ts';
import { RuleForm } from './rule-form.tsx';
import { RuleTestPanel } from './rule-test-panel.tsx';

function RuleRow(props: { rule: Rule; mayManage: boolean; onChanged: () => void; onEdit: () => void; onTest: () => void; api: Api }) {
  const { rule, api } = props;
  const { act, error } = useAction(props.onChanged);
  return (
    <tr data-testid={`rule-${rule.name}`}>
      <td>
        <strong>{rule.name}</strong>{' '}
        {rule.platform && (
          <span className="badge platform" title="Defined by the platform: read-only">
            platform
          </span>
        )}
        <div className="muted">{rule.description}</div>
      </td>
      <td>
        <code>{rule.sql}</code>
      </td>
      <td>
        <ul>
          {rule.actions.map((a, i) => (
            <li key={i}>{describeRuleAction(a)}</li>
          ))}
        </ul>
      </td>
      <td>{rule.enabled ? 'enabled' : 'disabled'}</td>
      <td>
        <div className="actions-cell">
          <button className="secondary" onClick={props.onTest} aria-label={`Test ${rule.name}`}>
            Test
          </button>
          {props.mayManage && !rule.platform && (
            <>
              <button className="secondary" onClick={props.onEdit} aria-label={`Edit ${rule.name}`}>
                Edit
              </button>
              <button
                className="secondary"
                onClick={() => void act(() => api.setRuleEnabled(rule.name, !rule.enabled))()}
                aria-label={`${rule.enabled ? 'Disable' : 'Enable'} ${rule.name}`}
              >
                {rule.enabled ? 'Disable' : 'Enable'}
              </button>
              <button
                className="danger"
                onClick={() => {
                  if (window.confirm(`Delete the rule ${rule.name}?`)) void act(() => api.deleteRule(rule.name))();
                }}
                aria-label={`Delete ${rule.name}`}
              >
                Delete
              </button>
            </>
          )}
        </div>
        <ErrorNotice error={error} inline />
      </td>
    </tr>
  );
}

export function RulesPage(props: { api: Api; mayManage: boolean }) {
  const { api, mayManage } = props;
  const load = useCallback(() => api.rules(), [api]);
  const { value, error, refresh } = usePolled(load);
  const [form, setForm] = useState<{ editing?: Rule } | undefined>();
  const [testSql, setTestSql] = useState(
    "SELECT topic(3) AS deviceId, temperature FROM 'fleet/devices/+/telemetry' WHERE temperature > 80",
  );
  const test = (sql: string) => {
    setTestSql(sql);
    document.getElementById('rule-test')?.scrollIntoView();
  };

  return (
    <>
      <div className="card">
        <h2>Rules</h2>
        <p className="muted">
          AWS IoT topic rules: SQL over the messages devices publish, and what to do with what it selects. The platform&apos;s own rules are
          read-only.
        </p>
        <ErrorNotice error={error} />
        {!value && error === undefined && <p className="muted">Loading…</p>}
        {mayManage && !form && <button onClick={() => setForm({})}>New rule</button>}
        {value && (
          <div className="table-scroll">
            <table data-testid="rule-list">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>SQL</th>
                  <th>Actions</th>
                  <th>State</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {value.rules.map((rule) => (
                  <RuleRow
                    key={rule.name}
                    rule={rule}
                    api={api}
                    mayManage={mayManage}
                    onChanged={() => void refresh()}
                    onEdit={() => setForm({ editing: rule })}
                    onTest={() => test(rule.sql)}
                  />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
      {mayManage && form && (
        <RuleForm
          key={form.editing?.name ?? 'new'}
          api={api}
          {...(form.editing ? { editing: form.editing } : {})}
          onSaved={() => {
            setForm(undefined);
            void refresh();
          }}
          onCancel={() => setForm(undefined)}
          onTest={test}
        />
      )}
      <div id="rule-test">
        <RuleTestPanel api={api} sql={testSql} onSqlChange={setTestSql} />
      </div>
    </>
  );
}
