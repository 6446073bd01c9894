import type { ReadingIntervals, Resolution } from '@fleet/core';
import { useEffect, useMemo, useState } from 'react';
import { ApiError, type Api, type Device } from '../api.ts';
import type { Auth } from '../auth.ts';
import type { RuntimeConfig } from '../config.ts';
import { connectLive, liveTopic, parseLive, type LiveReading } from '../live.ts';
import { ErrorNotice, errorText } from '../error-notice.tsx';
import { RouteLink } from '../form-kit.tsx';
import { TimeChart } from '../time-chart.tsx';
import { DeviceCommandsPanel } from './device-commands-panel.tsx';
import { DeviceConfigPanel } from './device-config-panel.tsx';

const palette = ['#2563eb', '#16a34a', '#ea580c', '#9333ea', '#0891b2', '#be123c'];
/** The history's ranges: up to a year, as long as rollups are kept (the Data Service reads the coarsest level that fills the points). */
const ranges = [
  { label: '1 h', ms: 3_600_000 },
  { label: '24 h', ms: 24 * 3_600_000 },
  { label: '7 d', ms: 7 * 24 * 3_600_000 },
  { label: '30 d', ms: 30 * 24 * 3_600_000 },
  { label: '1 y', ms: 365 * 24 * 3_600_000 },
];
/** What a chart was computed from, as a person reads it. */
const resolutionLabels: Record<Resolution, string> = {
  raw: 'raw readings',
  '1m': '1-minute rollups',
  '1h': '1-hour rollups',
  '1d': '1-day rollups',
};
const liveWindow = 300;

/** `mayManage`: the user's role may revoke (and command) devices; viewers only watch. */
export function DevicePage(props: {
  api: Api;
  auth: Auth;
  config: RuntimeConfig;
  deviceId: string;
  navigate: (to: string) => void;
  mayManage: boolean;
  /** The signed-in user's username, to say "you" where the user acted. */
  myUsername?: string | undefined;
}) {
  const { api, deviceId } = props;
  const [device, setDevice] = useState<Device>();
  const [error, setError] = useState<unknown>();
  const [live, setLive] = useState<LiveReading[]>([]);
  const [liveState, setLiveState] = useState('connecting');
  // `requestedAt` makes a click on the current range fetch again (new readings may have arrived).
  const [{ range, requestedAt }, setRangeRequest] = useState({ range: ranges[0]?.ms ?? 3_600_000, requestedAt: Date.now() });
  const [answer, setAnswer] = useState<ReadingIntervals>();
  const history = answer?.metrics;
  const [revoking, setRevoking] = useState(false);

  async function revoke(): Promise<void> {
    if (!window.confirm(`Revoke ${deviceId}? Its certificate stops working at once.`)) return;
    setRevoking(true);
    try {
      await api.remove(deviceId);
      props.navigate('/devices');
    } catch (err) {
      setError(err);
      setRevoking(false);
    }
  }

  useEffect(() => {
    api.device(deviceId).then(setDevice, setError);
  }, [api, deviceId]);

  useEffect(() => {
    let closed = false;
    let client: Awaited<ReturnType<typeof connectLive>> | undefined;
    const session = props.auth.current();
    if (!session) return;
    connectLive(props.config, session, api).then(
      (c) => {
        if (closed) return void c.end(true);
        client = c;
        c.on('connect', () => {
          c.subscribe(liveTopic(deviceId), { qos: 0 }, (err) => setLiveState(err ? `subscribe failed: ${err.message}` : 'live'));
        });
        c.on('message', (_topic, payload) => {
          const reading = parseLive(deviceId, payload);
          // Readings can arrive out of device-time order (late or buffered): keep the window sorted by ts.
          if (reading) setLive((prev) => [...prev, reading].sort((a, b) => a.ts - b.ts || a.seq - b.seq).slice(-liveWindow));
        });
        c.on('close', () => !closed && setLiveState('disconnected'));
        c.on('error', (err) => setLiveState(`error: ${err.message}`));
      },
      (err: unknown) => setLiveState(`unavailable: ${errorText(err)}`),
    );
    return () => {
      closed = true;
      client?.end(true);
    };
  }, [api, deviceId, props.auth, props.config]);

  useEffect(() => {
    const to = requestedAt;
    // The last range's chart and resolution go at once: a failed request must not leave them shown as this range's.
    setAnswer(undefined);
    api.history(deviceId, to - range, to, 300).then(setAnswer, setError);
  }, [api, deviceId, range, requestedAt]);

  const latest = live.at(-1)?.values ?? device?.latest?.values ?? {};
  const liveMetrics = useMemo(() => [...new Set(live.flatMap((r) => Object.keys(r.values)))].sort(), [live]);
  const liveTimes = useMemo(() => live.map((r) => r.ts), [live]);
  const liveSeries = useMemo(
    () =>
      liveMetrics.map((m, i) => ({ label: m, color: palette[i % palette.length] ?? '#000', values: live.map((r) => r.values[m] ?? null) })),
    [live, liveMetrics],
  );

  // A device that is not registered has no live view, history or revoke.
  if (error instanceof ApiError && error.code === 'DeviceNotFound') {
    return (
      <div className="card" data-testid="device-not-found">
        <h2>{deviceId}</h2>
        <ErrorNotice error={error} />
        <p>
          <RouteLink to="/devices" navigate={props.navigate}>
            Back to the devices
          </RouteLink>
        </p>
      </div>
    );
  }

  return (
    <>
      <div className="card">
        <div style={{ display: 'flex', alignItems: 'center' }}>
          <h2 style={{ flex: 1 }}>{device?.name ?? deviceId}</h2>
          {props.mayManage && (
            <button className="danger" onClick={() => void revoke()} disabled={revoking}>
              Revoke
            </button>
          )}
        </div>
        <p className="muted">
          {deviceId} · <span className={`status ${device?.online ? 'online' : ''}`} />
          {device?.online ? 'online' : 'offline'} · live: <span data-testid="live-state">{liveState}</span>
        </p>
        <ErrorNotice error={error} />
        <div className="values">
          {Object.entries(latest).map(([metric, value]) => (
            <div className="value" key={metric}>
              <b data-testid={`live-value-${metric}`}>{value}</b>
              <span className="muted">{metric}</span>
            </div>
          ))}
        </div>
      </div>
      {/* Once the device is known to be registered: an unknown one shows only its error. */}
      {device && (
        <>
          <DeviceConfigPanel api={api} deviceId={deviceId} mayManage={props.mayManage} />
          <DeviceCommandsPanel api={api} deviceId={deviceId} mayManage={props.mayManage} myUsername={props.myUsername} />
        </>
      )}
      <div className="card">
        <h3>Live</h3>
        {live.length === 0 ? (
          <p className="muted">Waiting for the device to publish…</p>
        ) : (
          <TimeChart times={liveTimes} series={liveSeries} testId="live-chart" />
        )}
      </div>
      <div className="card">
        <h3>History</h3>
        <div className="ranges">
          {ranges.map((r) => (
            <button
              key={r.label}
              className={r.ms === range ? '' : 'secondary'}
              onClick={() => setRangeRequest({ range: r.ms, requestedAt: Date.now() })}
              data-testid={`range-${r.label.replace(' ', '')}`}
            >
              {r.label}
            </button>
          ))}
        </div>
        {!history && error === undefined && <p className="muted">Loading…</p>}
        {answer && (
          <p className="muted" data-testid="history-resolution">
            Computed from {resolutionLabels[answer.resolution ?? 'raw']}, {Math.round(answer.intervalMs / 1000).toLocaleString()} s a point.
          </p>
        )}
        {history && Object.keys(history).length === 0 && <p className="muted">No readings in this range.</p>}
        {history &&
          Object.entries(history).map(([metric, intervals], i) => (
            <div key={metric}>
              <h4>{metric}</h4>
              <TimeChart
                testId={`history-chart-${metric}`}
                height={180}
                span={answer && { from: answer.from, to: answer.to }}
                times={intervals.map((p) => p.t)}
                series={[
                  { label: `${metric} avg`, color: palette[i % palette.length] ?? '#000', values: intervals.map((p) => p.avg) },
                  { label: 'min', color: '#9ca3af', values: intervals.map((p) => p.min) },
                  { label: 'max', color: '#6b7280', values: intervals.map((p) => p.max) },
                ]}
              />
            </div>
          ))}
      </div>
    </>
  );
}
