/**
 * Creates or edits a user's topic rule: name, description, SQL and its actions (republish under
 * fleet/rules/, webhook, notify the alarm channels). Editing sends the whole rule again (PUT), with
 * the error action it had.
 */
import { republishTopicPrefix, type Rule, type UserRuleAction } from '@fleet/core';
import { useState } from 'react';
import type { Api } from '../api.ts';
import { FormError, useSubmit } from '../form-kit.tsx';

type ActionKind = UserRuleAction['kind'];

const actionLabels: Record<ActionKind, string> = {
  republish: 'Republish to a topic',
  webhook: 'Call a webhook (HTTPS)',
  notify: 'Notify the alarm channels',
};

const blankAction = (kind: ActionKind): UserRuleAction =>
  kind === 'republish' ? { kind, topic: `${republishTopicPrefix}` } : kind === 'webhook' ? { kind, url: 'https://' } : { kind };

/** The actions a user may send back: a view's answered-only fields dropped, other actions left out. */
const editable = (rule: Rule | undefined): UserRuleAction[] =>
  (rule?.actions ?? []).flatMap((a): UserRuleAction[] =>
    a.kind === 'republish'
      ? [{ kind: a.kind, topic: a.topic }]
      : a.kind === 'webhook'
        ? [{ kind: a.kind, url: a.url }]
        : a.kind === 'notify'
          ? [a]
          : [],
  );

function ActionEditor(props: { index: number; action: UserRuleAction; onChange: (a: UserRuleAction) => void; onRemove: () => void }) {
  const { action, index } = props;
  return (
    <fieldset>
      <legend>Action {index + 1}</legend>
      <label>
        Kind
        <select
          name={`action-${index}-kind`}
          value={action.kind}
          onChange={(e) => props.onChange(blankAction(e.target.value as ActionKind))}
        >
          {(Object.keys(actionLabels) as ActionKind[]).map((k) => (
            <option key={k} value={k}>
              {actionLabels[k]}
            </option>
          ))}
        </select>
      </label>
      {action.kind === 'republish' && (
        <label>
          Topic (under {republishTopicPrefix})
          <input
            name={`action-${index}-topic`}
            value={action.topic}
            onChange={(e) => props.onChange({ ...action, topic: e.target.value })}
          />
        </label>
      )}
      {action.kind === 'webhook' && (
        <label>
          URL (AWS sends it a confirmation first)
          <input
            name={`action-${index}-url`}
            type="url"
            value={action.url}
            onChange={(e) => props.onChange({ ...action, url: e.target.value })}
          />
        </label>
      )}
      <button type="button" className="secondary" onClick={props.onRemove}>
        Remove action {index + 1}
      </button>
    </fieldset>
  );
}

export function RuleForm(props: {
  api: Api;
  editing?: Rule;
  onSaved: (rule: Rule) => void;
  onCancel: () => void;
  onTest: (sql: string) => void;
}) {
  const { editing } = props;
  const [name, setName] = useState(editing?.name ?? '');
  const [description, setDescription] = useState(editing?.description ?? '');
  const [sql, setSql] = useState(
    editing?.sql ?? "SELECT topic(3) AS deviceId, temperature FROM 'fleet/devices/+/telemetry' WHERE temperature > 80",
  );
  const [actions, setActions] = useState<UserRuleAction[]>(() => (editing ? editable(editing) : [{ kind: 'notify' }]));
  const { error, busy, run } = useSubmit();
  const errorAction =
    editing?.errorAction && editing.errorAction.kind !== 'other' ? editable({ ...editing, actions: [editing.errorAction] })[0] : undefined;

  return (
    <div className="card">
      <h2>{editing ? `Edit rule ${editing.name}` : 'New rule'}</h2>
      <form
        className="wide"
        onSubmit={run(async () => {
          const content = { description, sql, actions, ...(errorAction ? { errorAction } : {}), enabled: editing?.enabled ?? true };
          props.onSaved(editing ? await props.api.replaceRule(editing.name, content) : await props.api.createRule({ name, ...content }));
        })}
      >
        <label>
          Name (letters, digits, _)
          <input name="rule-name" value={name} onChange={(e) => setName(e.target.value)} disabled={editing !== undefined} required />
        </label>
        <label>
          Description
          <input name="rule-description" value={description} onChange={(e) => setDescription(e.target.value)} />
        </label>
        <label>
          SQL statement
          <textarea name="rule-sql" value={sql} onChange={(e) => setSql(e.target.value)} required />
        </label>
        {actions.map((action, i) => (
          <ActionEditor
            key={i}
            index={i}
            action={action}
            onChange={(a) => setActions(actions.map((x, j) => (j === i ? a : x)))}
            onRemove={() => setActions(actions.filter((_, j) => j !== i))}
          />
        ))}
        <div className="actions-cell">
          <button type="button" className="secondary" onClick={() => setActions([...actions, blankAction('notify')])}>
            Add an action
          </button>
          <button type="button" className="secondary" onClick={() => props.onTest(sql)}>
            Test this SQL
          </button>
          <button type="submit" disabled={busy || actions.length === 0}>
            {editing ? 'Save rule' : 'Create rule'}
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
