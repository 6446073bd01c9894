/**
 * Dead letters (operators and admins): readings the Data Service rejected, with the reason, and
 * what waits to be replayed — messages the ingest rule's error action saved in S3 and messages in
 * the ingest dead-letter queue. Admins put both back on the ingest queue with one action.
 */
import { useCallback, useEffect, useState } from 'react';
import type { DeadLetterOverview, DeadLetterReplayResult, QueueReplay } from '@fleet/core';
import type { Api } from '../api.ts';
import { ErrorNotice, errorText } from '../error-notice.tsx';

const describeQueueReplay = (q: QueueReplay) =>
  q.status === 'NOTHING_TO_MOVE'
    ? 'the dead-letter queue was empty'
    : `${q.moved} of ${q.toMove} moved from the dead-letter queue (${q.status.toLowerCase()}${q.failureReason ? `: ${q.failureReason}` : ''})`;

const describeReplay = (r: DeadLetterReplayResult) =>
  `Re-queued ${r.errorAction.replayed} saved message(s)${r.errorAction.skipped ? `, skipped ${r.errorAction.skipped} unreadable` : ''}; ` +
  `${describeQueueReplay(r.deadLetterQueue)}.`;

/**
 * A dead letter's payload as a person reads it: telemetry arrives base64-encoded, so its UTF-8 text
 * (pretty JSON when it is JSON); anything else as received.
 */
export function readablePayload(payload: string): string {
  let text = payload;
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(payload) && payload.length % 4 === 0) {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(atob(payload), (c) => c.charCodeAt(0)));
    } catch {
      text = payload;
    }
  }
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** `mayReplay`: the signed-in user's role may replay (admins); the API refuses others anyway. */
export function DeadLettersPage(props: { api: Api; mayReplay: boolean }) {
  const { api, mayReplay } = props;
  const [overview, setOverview] = useState<DeadLetterOverview>();
  const [error, setError] = useState<unknown>();
  const [replay, setReplay] = useState<{ busy: boolean; result?: string }>({ busy: false });

  const load = useCallback(() => api.deadLetters(20).then(setOverview, setError), [api]);
  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), 10_000);
    return () => clearInterval(timer);
  }, [api, load]);

  const runReplay = async () => {
    setReplay({ busy: true });
    try {
      setReplay({ busy: false, result: describeReplay(await api.replayDeadLetters()) });
      await load();
    } catch (err) {
      setReplay({ busy: false, result: `Replay failed: ${errorText(err)}` });
    }
  };

  const backlog = overview?.backlog;
  const waiting = backlog ? backlog.errorActionMessages + backlog.deadLetterQueueMessages : 0;
  return (
    <>
      <div className="card">
        <h2>Dead letters</h2>
        <ErrorNotice error={error} />
        {!overview && error === undefined && <p className="muted">Loading…</p>}
        {backlog && (
          <>
            <p data-testid="dead-letter-backlog">
              Waiting for replay: <strong data-testid="error-action-count">{backlog.errorActionMessages}</strong>
              {backlog.errorActionMessagesMore ? '+' : ''} saved by the ingest rule&apos;s error action, and{' '}
              <strong data-testid="dlq-depth">{backlog.deadLetterQueueMessages}</strong> in the ingest dead-letter queue.
            </p>
            {backlog.deadLetterQueueReplay && (
              <p className="muted">Last queue replay: {describeQueueReplay(backlog.deadLetterQueueReplay)}.</p>
            )}
            {mayReplay && (
              <button data-testid="replay" disabled={replay.busy || waiting === 0} onClick={() => void runReplay()}>
                {replay.busy ? 'Replaying…' : 'Replay onto the ingest queue'}
              </button>
            )}
            {replay.result && <p data-testid="replay-result">{replay.result}</p>}
          </>
        )}
      </div>
      {overview && (
        <div className="card">
          <h2>Rejected readings</h2>
          {overview.deadLetters.length === 0 ? (
            <p className="muted">None in the last 7 days.</p>
          ) : (
            <table data-testid="dead-letter-list">
              <thead>
                <tr>
                  <th>Received</th>
                  <th>Device</th>
                  <th>Reason</th>
                  <th>Payload</th>
                </tr>
              </thead>
              <tbody>
                {overview.deadLetters.map((d) => (
                  <tr key={d.key}>
                    <td>{new Date(d.receivedAt).toLocaleString()}</td>
                    <td>{d.deviceId ?? '—'}</td>
                    <td>{d.reason}</td>
                    <td>
                      <details data-testid="dead-letter-payload">
                        <summary>Inspect</summary>
                        <pre>{readablePayload(d.payload)}</pre>
                      </details>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      )}
    </>
  );
}
