/**
 * A device: its status ("online · last seen 3 s ago"), its latest values formatted per metric, its
 * configuration and commands, the live chart over MQTT-over-WebSocket, the history (ranges, zoom,
 * bands, metric picking, comparison) and, for who may, the fleet's metric display settings.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { ApiError, type Api } from '../api.ts';
import type { Auth } from '../auth.ts';
import type { RuntimeConfig } from '../config.ts';
import {
  connectLive,
  liveStateText,
  liveTopics,
  parseLive,
  watchLive,
  withLiveReading,
  type LiveReading,
  type LiveState,
} from '../live.ts';
import { ErrorNotice } from '../error-notice.tsx';
import { RouteLink } from '../form-kit.tsx';
import { formatValue, metricLabel } from '../format.ts';
import { deviceStatus, statusText } from '../device-status.ts';
import { usePolled } from '../polling.ts';
import { TimeChart } from '../time-chart.tsx';
import { useMetricSettings } from '../use-metric-settings.ts';
import { DeviceAttributesPanel } from './device-attributes-panel.tsx';
import { DeviceCertificatesPanel } from './device-certificates-panel.tsx';
import { DeviceCommandsPanel } from './device-commands-panel.tsx';
import { DeviceConfigPanel } from './device-config-panel.tsx';
import { DeviceHistoryPanel } from './device-history-panel.tsx';
import { MetricSettingsEditor } from './metric-settings-editor.tsx';
import { seriesColor } from '../chart-palette.ts';

const liveWindow = 300;

/** The status line, ticking every second: "online · last seen 3 s ago". */
function StatusLine(props: { facts: Parameters<typeof deviceStatus>[0] }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const status = deviceStatus(props.facts, now);
  return (
    <span data-testid="device-status">
      <span className={`status ${status.online ? 'online' : ''}`} aria-hidden="true" />
      {statusText(status, now)}
    </span>
  );
}

/** `mayManage`: the user's role may revoke (and command) devices; viewers only watch. */
export function DevicePage(props: {
  api: Api;
  auth: Auth;
  config: RuntimeConfig;
  deviceId: string;
  navigate: (to: string) => void;
  mayManage: boolean;
  /** May change the fleet's metric display settings (units, decimals). */
  mayEditMetrics?: boolean;
  /** The signed-in user's username, to say "you" where the user acted. */
  myUsername?: string | undefined;
}) {
  const { api, deviceId, auth, config } = props;
  // Presence changes by itself (lifecycle events): asked again every 10 s.
  const { value: device, error } = usePolled(useCallback(() => api.device(deviceId), [api, deviceId]));
  const [actionError, setActionError] = useState<unknown>();
  const [live, setLive] = useState<LiveReading[]>([]);
  const [liveReceivedAt, setLiveReceivedAt] = useState<number>();
  const [liveState, setLiveState] = useState<LiveState>({ kind: 'connecting' });
  const [revoking, setRevoking] = useState(false);
  const { display, reload: reloadSettings } = useMetricSettings(api);

  async function revoke(): Promise<void> {
    if (!window.confirm(`Revoke ${deviceId}? Its certificate stops working at once.`)) return;
    setRevoking(true);
    try {
      await api.remove(deviceId);
      props.navigate('/devices');
    } catch (err) {
      setActionError(err);
      setRevoking(false);
    }
  }

  useEffect(() => {
    const session = auth.current();
    if (!session) return;
    setLive([]);
    return watchLive({
      // The session of the moment: a reconnect an hour later signs with the refreshed token.
      connect: () => connectLive(config, auth.current() ?? session, api),
      topics: (access) => liveTopics(deviceId, access),
      onMessage: (_topic, payload) => {
        const reading = parseLive(deviceId, payload);
        if (!reading) return;
        setLiveReceivedAt(Date.now());
        setLive((prev) => [...withLiveReading(prev, reading, liveWindow)]);
      },
      onState: setLiveState,
    });
  }, [api, deviceId, auth, config]);

  const latest = useMemo(() => live.at(-1)?.values ?? device?.latest?.values ?? {}, [live, device?.latest?.values]);
  const liveMetrics = useMemo(() => [...new Set(live.flatMap((r) => Object.keys(r.values)))].sort(), [live]);
  const liveTimes = useMemo(() => live.map((r) => r.ts), [live]);
  const liveSeries = useMemo(
    () =>
      liveMetrics.map((m, i) => ({
        label: metricLabel(m, display[m]),
        color: seriesColor(i),
        values: live.map((r) => r.values[m] ?? null),
        format: (v: number) => formatValue(v, display[m]),
      })),
    [live, liveMetrics, display],
  );
  const knownMetrics = useMemo(() => [...new Set([...Object.keys(latest), ...liveMetrics])].sort(), [latest, liveMetrics]);

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
        <div className="device-title">
          <h2>{device?.name ?? deviceId}</h2>
          {props.mayManage && (
            <button className="danger" onClick={() => void revoke()} disabled={revoking}>
              Revoke
            </button>
          )}
        </div>
        <p className="muted">
          {deviceId} · {/* Nothing said of presence before it is known: a flash of "offline" would be wrong. */}
          {device ? (
            <StatusLine
              facts={{ online: device.online, lastSeenAt: device.lastSeenAt, latestReceivedAt: device.latest?.receivedAt, liveReceivedAt }}
            />
          ) : (
            '…'
          )}{' '}
          · <span data-testid="live-state">{liveStateText(liveState)}</span>
        </p>
        <ErrorNotice error={error ?? actionError} />
        <div className="values">
          {Object.entries(latest).map(([metric, value]) => (
            <div className="value" key={metric}>
              <b data-testid={`live-value-${metric}`}>{formatValue(value, display[metric])}</b>
              <span className="muted">{metricLabel(metric, display[metric])}</span>
            </div>
          ))}
        </div>
      </div>
      {/* Once the device is known to be registered: an unknown one shows only its error. */}
      {device && (
        <>
          <DeviceAttributesPanel api={api} deviceId={deviceId} mayManage={props.mayManage} />
          <DeviceConfigPanel api={api} deviceId={deviceId} mayManage={props.mayManage} />
          <DeviceCommandsPanel api={api} deviceId={deviceId} mayManage={props.mayManage} myUsername={props.myUsername} />
          <DeviceCertificatesPanel api={api} deviceId={deviceId} mayManage={props.mayManage} />
        </>
      )}
      <div className="card">
        <h3>Live</h3>
        {live.length === 0 ? (
          <p className="muted">Waiting for the device to publish…</p>
        ) : (
          <TimeChart times={liveTimes} series={liveSeries} testId="live-chart" label="Live readings" />
        )}
      </div>
      <DeviceHistoryPanel api={api} deviceId={deviceId} deviceName={device?.name ?? deviceId} live={live} display={display} />
      {props.mayEditMetrics && (
        <MetricSettingsEditor api={api} metrics={knownMetrics} display={display} samples={latest} onSaved={reloadSettings} />
      )}
    </>
  );
}
