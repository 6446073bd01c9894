/**
 * Other devices to compare with on the history charts: picked from the fleet's devices, each shown
 * as a named chip that removes it. Their series of the same metric join each chart in their colour.
 */
import { useEffect, useState } from 'react';
import type { Api, Device } from '../api.ts';
import { ErrorNotice } from '../error-notice.tsx';

export interface ComparedDevice {
  readonly deviceId: string;
  readonly name: string;
}

/** At most this many devices beside the device itself: more lines than a chart can keep apart. */
export const maxCompared = 5;

export function ComparePicker(props: {
  api: Api;
  deviceId: string;
  compared: readonly ComparedDevice[];
  onChange: (compared: readonly ComparedDevice[]) => void;
  colors: readonly string[];
}) {
  const [devices, setDevices] = useState<readonly Device[]>();
  const [choice, setChoice] = useState('');
  const [error, setError] = useState<unknown>();
  const { api } = props;

  useEffect(() => {
    api.devices().then((page) => setDevices(page.items), setError);
  }, [api]);

  const candidates = (devices ?? []).filter((d) => d.deviceId !== props.deviceId && !props.compared.some((c) => c.deviceId === d.deviceId));
  const add = () => {
    const device = candidates.find((d) => d.deviceId === choice);
    if (!device) return;
    props.onChange([...props.compared, { deviceId: device.deviceId, name: device.name }]);
    setChoice('');
  };

  return (
    <div className="compare" data-testid="compare">
      <label>
        Compare with{' '}
        <select value={choice} onChange={(e) => setChoice(e.target.value)} disabled={props.compared.length >= maxCompared}>
          <option value="">{candidates.length ? 'another device…' : 'no other device'}</option>
          {candidates.map((d) => (
            <option key={d.deviceId} value={d.deviceId}>
              {d.name} ({d.deviceId})
            </option>
          ))}
        </select>
      </label>{' '}
      <button className="secondary" onClick={add} disabled={!choice}>
        Add
      </button>
      {props.compared.map((c, i) => (
        <span key={c.deviceId} className="chip" style={{ borderColor: props.colors[i % props.colors.length] }}>
          <span className="swatch" style={{ background: props.colors[i % props.colors.length] }} aria-hidden="true" />
          {c.name}
          <button
            className="secondary"
            aria-label={`Stop comparing with ${c.name}`}
            onClick={() => props.onChange(props.compared.filter((x) => x.deviceId !== c.deviceId))}
          >
            ×
          </button>
        </span>
      ))}
      <ErrorNotice error={error} />
    </div>
  );
}
