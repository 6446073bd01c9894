/**
 * Bulk actions of the device list: the selected rows, or every device matching the list's filter
 * ("select all N matching"), are revoked, sent a command or added to a thing group in one API call
 * (`POST /api/devices/bulk`); the answer's result per device is shown, failures with their reason.
 */
import { useState, type FormEvent } from 'react';
import { deviceListLimits, type DeviceBulkAnswer, type DeviceBulkInput, type DeviceFilter, type Permission } from '@fleet/core';
import type { Api } from '../api.ts';
import { ErrorNotice } from '../error-notice.tsx';
import { groupInputPattern } from './device-list-url.ts';

/** Rows picked one by one, or every device the filter matches. */
export type BulkSelection = { readonly kind: 'ids'; readonly ids: ReadonlySet<string> } | { readonly kind: 'all' };

type Action = DeviceBulkInput['action'];

const actionLabels: Record<Action, string> = { addToGroup: 'Add to group', command: 'Send command', revoke: 'Revoke' };
const doneLabels: Record<Action, string> = { addToGroup: 'added', command: 'command sent', revoke: 'revoked' };

function BulkResults(props: { answer: DeviceBulkAnswer }) {
  const { answer } = props;
  return (
    <div data-testid="bulk-results">
      <p role="status">
        {actionLabels[answer.action]}: {answer.succeeded} done, {answer.failed} failed
      </p>
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th>Device</th>
              <th>Result</th>
            </tr>
          </thead>
          <tbody>
            {answer.results.map((r) => (
              <tr key={r.deviceId} data-testid={`bulk-result-${r.deviceId}`}>
                <td>{r.deviceId}</td>
                <td className={r.ok ? undefined : 'error'}>
                  {r.ok
                    ? `✓ ${doneLabels[answer.action]}${r.commandId ? ` (${r.commandId})` : ''}`
                    : `✗ ${r.code ?? 'Failed'}: ${r.message ?? ''}`}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

export function DeviceBulkPanel(props: {
  api: Api;
  may: (p: Permission) => boolean;
  selection: BulkSelection;
  total: number;
  filter: DeviceFilter;
  wholePage: boolean;
  pageSize: number;
  onSelectAll: () => void;
  onClear: () => void;
  onDone: () => void;
}) {
  const { selection, total, may } = props;
  const actions = (['addToGroup', 'command', 'revoke'] as const).filter((a) =>
    may(a === 'addToGroup' ? 'manageDeviceGroups' : 'manageDevices'),
  );
  const [action, setAction] = useState<Action>(actions[0] ?? 'addToGroup');
  const [group, setGroup] = useState('');
  const [command, setCommand] = useState('ping');
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [answer, setAnswer] = useState<DeviceBulkAnswer>();

  const count = selection.kind === 'all' ? total : selection.ids.size;
  const tooMany = count > deviceListLimits.maxBulkDevices;
  const target = selection.kind === 'all' ? { match: props.filter } : { deviceIds: [...selection.ids] };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (action === 'revoke' && !confirming) {
      setConfirming(true);
      return;
    }
    setBusy(true);
    setError(undefined);
    setConfirming(false);
    try {
      const input: DeviceBulkInput =
        action === 'addToGroup'
          ? { action, group: group.trim(), ...target }
          : action === 'command'
            ? { action, command: { command: command.trim() }, ...target }
            : { action, ...target };
      setAnswer(await props.api.bulkDevices(input));
      props.onClear();
      props.onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="bulk-panel" aria-label="Bulk actions">
      <p data-testid="selection-count">
        {selection.kind === 'all' ? `All ${total.toLocaleString()} matching devices selected` : `${count} selected`}
        {selection.kind === 'ids' && props.wholePage && total > props.pageSize && (
          <button type="button" className="link" onClick={props.onSelectAll}>
            Select all {total.toLocaleString()} matching
          </button>
        )}
        {count > 0 && (
          <button type="button" className="link" onClick={props.onClear}>
            Clear selection
          </button>
        )}
      </p>
      {count > 0 && (
        <form className="inline" onSubmit={(e) => void submit(e)}>
          <label>
            Action
            <select
              name="bulk-action"
              // Named by aria-label: a wrapping label's name would include the options' text.
              aria-label="Action"
              value={action}
              onChange={(e) => {
                setAction(e.target.value as Action);
                setConfirming(false);
              }}
            >
              {actions.map((a) => (
                <option key={a} value={a}>
                  {actionLabels[a]}
                </option>
              ))}
            </select>
          </label>
          {action === 'addToGroup' && (
            <label>
              Thing group
              <input
                name="bulk-group"
                required
                maxLength={128}
                pattern={groupInputPattern}
                value={group}
                onChange={(e) => setGroup(e.target.value)}
              />
            </label>
          )}
          {action === 'command' && (
            <label>
              Command
              <input name="bulk-command" required maxLength={64} value={command} onChange={(e) => setCommand(e.target.value)} />
            </label>
          )}
          <button type="submit" className={action === 'revoke' ? 'danger' : undefined} disabled={busy || tooMany}>
            {busy
              ? 'Working…'
              : confirming
                ? `Confirm: revoke ${count} device${count === 1 ? '' : 's'}`
                : `${actionLabels[action]} (${count})`}
          </button>
          {confirming && (
            <button type="button" className="secondary" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          )}
        </form>
      )}
      {tooMany && (
        <p className="muted" role="note">
          A bulk action takes at most {deviceListLimits.maxBulkDevices} devices: narrow the search or filters.
        </p>
      )}
      <ErrorNotice error={error} />
      {answer && <BulkResults answer={answer} />}
    </section>
  );
}
