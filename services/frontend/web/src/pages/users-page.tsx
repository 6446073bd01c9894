/**
 * Users and their roles, for admins: every user of the pool with email, status, role and device
 * access (every device, or only some thing groups: device-access-editor.tsx); a role
 * picker per user (not for oneself: the API refuses it, so no admin can lock everyone out); and an
 * invitation by email with a role (Cognito mails a temporary password; locally it is written to
 * the data folder's cognito/invitations.json).
 */
import { roles } from '@fleet/core';
import { useCallback, useEffect, useState } from 'react';
import type { Api, PoolUser, Role, SignedInUser } from '../api.ts';
import { ErrorNotice } from '../error-notice.tsx';
import { FormError, TextField, useSubmit } from '../form-kit.tsx';
import { DeviceAccessEditor } from './device-access-editor.tsx';

function RolePicker(props: { value: Role; onChange: (role: Role) => void; name: string; disabled?: boolean }) {
  return (
    <select
      name={props.name}
      value={props.value}
      disabled={props.disabled}
      onChange={(e) => props.onChange(e.target.value as Role)}
      aria-label={props.name}
    >
      {roles.map((r) => (
        <option key={r} value={r}>
          {r}
        </option>
      ))}
    </select>
  );
}

function InviteForm(props: { api: Api; onInvited: () => void }) {
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [invited, setInvited] = useState<string>();
  const { error, busy, run } = useSubmit();
  return (
    <div className="card">
      <h3>Invite a user</h3>
      <form
        className="inline"
        onSubmit={run(async () => {
          await props.api.invite(email.trim(), role);
          setInvited(email.trim());
          setEmail('');
          props.onInvited();
        })}
      >
        <TextField name="invite-email" type="email" placeholder="Email" value={email} onChange={setEmail} />
        <RolePicker name="invite-role" value={role} onChange={setRole} />
        <button type="submit" disabled={busy}>
          Invite
        </button>
      </form>
      <FormError error={error} />
      {invited && (
        <p className="muted" data-testid="invited">
          {invited} is invited: a temporary password is on its way by email (running locally: in the data folder, cognito/invitations.json).
        </p>
      )}
    </div>
  );
}

function UserRow(props: { api: Api; user: PoolUser; self: boolean; groups: readonly string[]; onChanged: () => void }) {
  const { user } = props;
  const [error, setError] = useState<unknown>();
  const change = (role: Role) => props.api.setRole(user.username, role).then(() => props.onChanged(), setError);
  return (
    <tr data-testid={`user-row-${user.email ?? user.username}`}>
      <td>
        {user.email ?? user.username}
        {props.self && <span className="muted"> (you)</span>}
      </td>
      <td className="muted">{user.status ?? ''}</td>
      <td>
        <RolePicker name={`role-${user.email ?? user.username}`} value={user.role} onChange={(r) => void change(r)} disabled={props.self} />
        <ErrorNotice error={error} inline />
      </td>
      <td>
        <DeviceAccessEditor api={props.api} user={user} groups={props.groups} onChanged={props.onChanged} />
      </td>
    </tr>
  );
}

export function UsersPage(props: { api: Api; me: SignedInUser | undefined }) {
  const [users, setUsers] = useState<PoolUser[]>();
  const [groups, setGroups] = useState<readonly string[]>([]);
  const [error, setError] = useState<unknown>();
  const load = useCallback(() => {
    props.api.users().then((r) => setUsers(r.users), setError);
  }, [props.api]);
  useEffect(() => {
    props.api.thingGroups().then((r) => setGroups(r.groups), setError);
  }, [props.api]);
  useEffect(load, [load]);

  return (
    <>
      <div className="card">
        <h2>Users</h2>
        <ErrorNotice error={error} />
        {!users && error === undefined && <p className="muted">Loading…</p>}
        {users && (
          <table data-testid="user-list">
            <thead>
              <tr>
                <th>User</th>
                <th>Status</th>
                <th>Role</th>
                <th>Device access</th>
              </tr>
            </thead>
            <tbody>
              {users.map((u) => (
                <UserRow
                  key={u.username}
                  api={props.api}
                  user={u}
                  self={u.username === props.me?.username}
                  groups={groups}
                  onChanged={load}
                />
              ))}
            </tbody>
          </table>
        )}
      </div>
      {users && <InviteForm api={props.api} onInvited={load} />}
    </>
  );
}
