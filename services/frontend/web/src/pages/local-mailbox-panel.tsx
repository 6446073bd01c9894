/**
 * The local cloud's mailbox: the e-mail notifications it "sent", so that a developer sees them
 * without a mail server. Shown only where the platform has one (the API answers 404 on AWS).
 */
import { useCallback } from 'react';
import { ApiError, type Api } from '../api.ts';
import { ErrorNotice } from '../error-notice.tsx';
import { shownTime } from '../format.ts';
import { usePolled } from '../polling.ts';

export function LocalMailboxPanel(props: { api: Api }) {
  const { api } = props;
  const load = useCallback(() => api.mailbox(), [api]);
  const { value, error } = usePolled(load);
  // On AWS mail goes to real inboxes: nothing to show.
  if (error instanceof ApiError && error.code === 'NotFound') return null;
  return (
    <div className="card">
      <h2>Local mailbox</h2>
      <p className="muted">Running locally, e-mail notifications land here instead of real inboxes.</p>
      <ErrorNotice error={error} />
      {value && value.messages.length === 0 && <p className="muted">No mail yet.</p>}
      {value?.messages.map((m, i) => (
        <details key={`${m.sentAt}/${i}`}>
          <summary>
            {shownTime(m.sentAt)} to {m.to}: {m.subject}
          </summary>
          <pre>{m.body}</pre>
        </details>
      ))}
    </div>
  );
}
