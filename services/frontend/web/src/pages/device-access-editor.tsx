/**
 * One user's device access on the Users screen: every device, or only those directly in some
 * thing groups (`@fleet/core` device-access.ts). An admin sees every device whatever is granted,
 * so their row only says so. The change reaches the user's next token refresh (at most an hour);
 * their live data follows at once.
 */
import { deviceAccessLimits } from '@fleet/core';
import { useState } from 'react';
import type { Api, DeviceAccess, PoolUser } from '../api.ts';
import { ErrorNotice } from '../error-notice.tsx';

/** How an access reads in the table. */
export function accessLabel(access: DeviceAccess): string {
  return access.kind === 'all' ? 'All devices' : `Only ${access.groups.join(', ')}`;
}

export function DeviceAccessEditor(props: { api: Api; user: PoolUser; groups: readonly string[]; onChanged: () => void }) {
  const { user } = props;
  const who = user.email ?? user.username;
  const [editing, setEditing] = useState(false);
  const [kind, setKind] = useState<DeviceAccess['kind']>(user.deviceAccess.kind);
  const [chosen, setChosen] = useState<string[]>(user.deviceAccess.kind === 'groups' ? [...user.deviceAccess.groups] : []);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  if (user.role === 'admin') return <span data-testid={`device-access-${who}`}>All devices (admin)</span>;
  if (!editing) {
    return (
      <span>
        <span data-testid={`device-access-${who}`}>{accessLabel(user.deviceAccess)}</span>{' '}
        <button type="button" className="link" onClick={() => setEditing(true)} aria-label={`Change device access of ${who}`}>
          Change
        </button>
      </span>
    );
  }
  const toggle = (group: string, on: boolean) => setChosen((c) => (on ? [...c, group].sort() : c.filter((g) => g !== group)));
  const save = async () => {
    setBusy(true);
    try {
      await props.api.setDeviceAccess(user.username, kind === 'all' ? { kind: 'all' } : { kind: 'groups', groups: chosen });
      setEditing(false);
      setError(undefined);
      props.onChanged();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <fieldset className="device-access" aria-label={`Device access of ${who}`}>
      <select
        name={`access-kind-${who}`}
        aria-label={`Device access kind of ${who}`}
        value={kind}
        onChange={(e) => setKind(e.target.value as DeviceAccess['kind'])}
      >
        <option value="all">All devices</option>
        <option value="groups">Only these groups</option>
      </select>
      {kind === 'groups' &&
        (props.groups.length === 0 ? (
          <p className="muted">No thing groups yet: put devices in a group on the Devices page first.</p>
        ) : (
          props.groups.map((group) => (
            <label key={group} className="inline">
              <input
                type="checkbox"
                name={`access-group-${who}-${group}`}
                checked={chosen.includes(group)}
                disabled={!chosen.includes(group) && chosen.length >= deviceAccessLimits.maxGroups}
                onChange={(e) => toggle(group, e.target.checked)}
              />
              {group}
            </label>
          ))
        ))}
      <button type="button" disabled={busy || (kind === 'groups' && chosen.length === 0)} onClick={() => void save()}>
        Save access
      </button>
      <button type="button" className="secondary" disabled={busy} onClick={() => setEditing(false)}>
        Cancel
      </button>
      <ErrorNotice error={error} inline />
    </fieldset>
  );
}
