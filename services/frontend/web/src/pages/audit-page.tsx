/**
 * The audit trail (admins): every change made through the API, newest first, with who, what, on
 * what, the outcome, the request id and the address. Filters by user, action, target and time;
 * "Older entries" reads the next page.
 */
import { useCallback, useEffect, useState } from 'react';
import type { AuditEntry } from '@fleet/core';
import type { Api } from '../api.ts';
import { ErrorNotice } from '../error-notice.tsx';
import { StackedTable, Time, useCursorPages, type Column } from './stacked-table.tsx';

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

const columns: readonly Column<AuditEntry>[] = [
  { label: 'When', cell: (e) => <Time iso={e.time} /> },
  {
    label: 'Who',
    cell: (e) => (
      <>
        {whoOf(e)}
        {e.actor.role && <span className="muted"> ({e.actor.role})</span>}
      </>
    ),
  },
  { label: 'Action', cell: (e) => e.actionName, title: (e) => e.action },
  { label: 'Target', cell: (e) => (e.target ? `${e.target.type}: ${e.target.label ?? e.target.id}` : '—'), title: (e) => e.target?.id },
  { label: 'Outcome', cell: (e) => <span className={`outcome ${e.outcome < 400 ? 'ok' : 'refused'}`}>{e.outcome}</span> },
  { label: 'From', cell: (e) => e.sourceIp, title: (e) => `request ${e.requestId}` },
];

export default function AuditPage(props: { api: Api }) {
  const { api } = props;
  const [draft, setDraft] = useState<Filters>(empty);
  // A new object at every submit, so that "Filter" reads the trail again even with the same filters.
  const [applied, setApplied] = useState<Filters>(empty);
  const fetchPage = useCallback(
    async (cursor?: string) => {
      const page = await api.audit({
        user: text(applied.user),
        action: text(applied.action),
        target: text(applied.target),
        from: isoOf(applied.from),
        to: isoOf(applied.to),
        cursor,
      });
      return { items: page.entries, nextCursor: page.nextCursor };
    },
    [api, applied],
  );
  const { items: entries, cursor, busy, error, load } = useCursorPages(fetchPage);
  useEffect(() => void load(), [load]);

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
          setApplied({ ...draft });
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
        <StackedTable
          label="Audit entries"
          testId="audit-list"
          rowTestId="audit-entry"
          columns={columns}
          rows={entries}
          rowKey={(e) => `${e.time}#${e.requestId}`}
        />
      )}
      {cursor && (
        <button className="secondary" disabled={busy} onClick={() => void load(cursor)}>
          Older entries
        </button>
      )}
    </div>
  );
}
