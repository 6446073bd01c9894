/**
 * A device's commands: send one (reboot, set-interval, ping or any name with JSON arguments), and
 * see each one's state as the device moves it (QUEUED → IN_PROGRESS → SUCCEEDED / FAILED / ...),
 * its answer, and cancel one that has not finished.
 */
import { useCallback, useState } from 'react';
import { isFinalCommandStatus, knownCommands, type CommandExecution } from '@fleet/core';
import type { Api } from '../api.ts';
import { ErrorNotice } from '../error-notice.tsx';
import { FormError, useSubmit } from '../form-kit.tsx';
import { timeAgo, typedValue } from '../format.ts';
import { usePolled } from '../polling.ts';

const custom = 'custom…';
const unfinished = (c: CommandExecution) => !isFinalCommandStatus(c.status);

export function DeviceCommandsPanel(props: { api: Api; deviceId: string; mayManage: boolean; myUsername?: string | undefined }) {
  const { api, deviceId } = props;
  const load = useCallback(() => api.commands(deviceId), [api, deviceId]);
  const { value: page, error, refresh } = usePolled(load, (p) => p.items.some(unfinished));
  const [choice, setChoice] = useState<string>('reboot');
  const [name, setName] = useState('');
  const [seconds, setSeconds] = useState('5');
  const [args, setArgs] = useState('{}');
  const submit = useSubmit();

  const send = async () => {
    const command = choice === custom ? name : choice;
    const parsed = choice === 'set-interval' ? { seconds: Number(seconds) } : choice === custom ? typedValue(args) : {};
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('Arguments must be a JSON object');
    await api.sendCommand(deviceId, { command, args: parsed as Record<string, unknown> });
    await refresh();
  };
  const cancel = (c: CommandExecution) => async () => {
    const force = c.status === 'IN_PROGRESS';
    if (force && !window.confirm(`${c.command ?? c.commandId} is in progress on the device. Cancel it anyway?`)) return;
    await api.cancelCommand(deviceId, c.commandId, force);
    await refresh();
  };

  return (
    <div className="card" data-testid="commands-panel">
      <h3>Commands</h3>
      {props.mayManage && (
        <form className="inline" onSubmit={(e) => void submit.run(send)(e)} aria-label="Send a command">
          <select aria-label="Command" value={choice} onChange={(e) => setChoice(e.target.value)}>
            {[...Object.keys(knownCommands), custom].map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
          {choice === 'set-interval' && (
            <input
              aria-label="Seconds"
              type="number"
              min="0.01"
              step="any"
              value={seconds}
              onChange={(e) => setSeconds(e.target.value)}
              required
            />
          )}
          {choice === custom && (
            <>
              <input
                aria-label="Command name"
                placeholder="name"
                value={name}
                onChange={(e) => setName(e.target.value)}
                required
                pattern="[A-Za-z][A-Za-z0-9_.\-]{0,63}"
              />
              <input aria-label="Arguments" placeholder='{"key": "value"}' value={args} onChange={(e) => setArgs(e.target.value)} />
            </>
          )}
          <button type="submit" disabled={submit.busy}>
            Send
          </button>
          <FormError error={submit.error} />
        </form>
      )}
      <ErrorNotice error={error} />
      {page && page.items.length === 0 && <p className="muted">No commands yet.</p>}
      {page && page.items.length > 0 && (
        <table>
          <thead>
            <tr>
              <th>Command</th>
              <th>State</th>
              <th>Answer</th>
              <th>Sent</th>
              {props.mayManage && <th />}
            </tr>
          </thead>
          <tbody>
            {page.items.map((c) => (
              <tr key={c.commandId} data-testid={`command-${c.commandId}`}>
                <td>
                  <code>{c.command ?? c.commandId}</code>
                  {c.args && Object.keys(c.args).length > 0 && <span className="muted"> {JSON.stringify(c.args)}</span>}
                </td>
                <td>
                  <span className={`badge state-${c.status.toLowerCase()}`} data-testid="command-status">
                    {c.status}
                  </span>
                </td>
                <td className="muted">
                  {c.answer
                    ? Object.entries(c.answer)
                        .map(([k, v]) => `${k}: ${v}`)
                        .join(', ')
                    : '—'}
                </td>
                <td className="muted">
                  {timeAgo(c.queuedAt)}
                  {c.issuedBy && <> by {c.issuedBy === props.myUsername ? 'you' : c.issuedBy}</>}
                </td>
                {props.mayManage && (
                  <td>
                    {unfinished(c) && (
                      <button className="secondary" onClick={(e) => void submit.run(cancel(c))(e)} disabled={submit.busy}>
                        Cancel
                      </button>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
