/**
 * The audit trail (admins): every change made through the API, newest first, with who, what, on
 * what, the outcome, the request id and the address. Filters by user, action, target and time;
 * "Older entries" reads the next page.
 */
import { useCallback, useEffect, useState } from 'react';
import type { AuditEntry } from '@fleet/core';
import type { Api } from '../api.ts';
import { ErrorNotice } from '../error-notice.tsx';

interface Filters {
  user: string;
  action: string;
  target: string;
  from: string;
  to: string;
}

const empty: Filters = { user: '', action: '', target: '', from: '', to: '' };
/** A `datetime-local` value (the browser's time zone) as ISO 8601, or nothing when blank. */
const isoOf = (local: string) => (local ? new Date(local).toISOString() : undefined);
const text = (s: string) => (s.trim() ? s.trim() : undefined);

export function whoOf(entry: AuditEntry): string {
  const { actor } = entry;
  if (!actor.sub) return 'no valid token';
  return actor.email ?? actor.username ?? actor.sub;
}

export default function AuditPage(props: { api: Api }) {
  const { api } = props;
  const [draft, setDraft] = useState<Filters>(empty);
  const [applied, setApplied] = useState<Filters>(empty);
  const [entries, setEntries] = useState<AuditEntry[]>();
  const [cursor, setCursor] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  const load = useCallback(
    async (filters: Filters, after?: string) => {
      setBusy(true);
      setError(undefined);
      try {
        const page = await api.audit({
          user: text(filters.user),
          action: text(filters.action),
          target: text(filters.target),
          from: isoOf(filters.from),
          to: isoOf(filters.to),
          cursor: after,
        });
        setEntries((before) => (after ? [...(before ?? []), ...page.entries] : page.entries));
        setCursor(page.nextCursor);
      } catch (err) {
        setError(err);
      } finally {
        setBusy(false);
      }
    },
    [api],
  );
  useEffect(() => void load(empty), [load]);

  const field = (name: keyof Filters, label: string, type = 'text') => (
    <label>
      {label}
      <input name={`audit-${name}`} type={type} value={draft[name]} onChange={(e) => setDraft({ ...draft, [name]: e.target.value })} />
    </label>
  );
  return (
    <div className="card">
      <h2>Audit trail</h2>
      <form
        className="audit-filters"
        aria-label="Filter the audit trail"
        onSubmit={(e) => {
          e.preventDefault();
          setApplied(draft);
          void load(draft);
        }}
      >
        {field('user', 'User (email, username)')}
        {field('action', 'Action')}
        {field('target', 'Target')}
        {field('from', 'From', 'datetime-local')}
        {field('to', 'To', 'datetime-local')}
        <button type="submit" disabled={busy}>
          Filter
        </button>
      </form>
      <ErrorNotice error={error} />
      {entries && entries.length === 0 && <p className="muted">No entries match.</p>}
      {entries && entries.length > 0 && (
        // Focusable, so a keyboard can scroll a table wider than a phone (WCAG 2.1.1).
        <div className="table-scroll" tabIndex={0} role="region" aria-label="Audit entries">
          <table className="stacked" data-testid="audit-list">
            <thead>
              <tr>
                <th>When</th>
                <th>Who</th>
                <th>Action</th>
                <th>Target</th>
                <th>Outcome</th>
                <th>From</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={`${e.time}#${e.requestId}`} data-testid="audit-entry">
                  <td data-label="When">
                    <time dateTime={e.time}>{new Date(e.time).toLocaleString()}</time>
                  </td>
                  <td data-label="Who">
                    {whoOf(e)}
                    {e.actor.role && <span className="muted"> ({e.actor.role})</span>}
                  </td>
                  <td data-label="Action" title={e.action}>
                    {e.actionName}
                  </td>
                  <td data-label="Target" title={e.target?.id}>
                    {e.target ? `${e.target.type}: ${e.target.label ?? e.target.id}` : '—'}
                  </td>
                  <td data-label="Outcome">
                    <span className={`outcome ${e.outcome < 400 ? 'ok' : 'refused'}`}>{e.outcome}</span>
                  </td>
                  <td data-label="From" title={`request ${e.requestId}`}>
                    {e.sourceIp}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {cursor && (
        <button className="secondary" disabled={busy} onClick={() => void load(applied, cursor)}>
          Older entries
        </button>
      )}
    </div>
  );
}
