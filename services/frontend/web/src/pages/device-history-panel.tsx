/**
 * The device page's history: one chart per metric over the chosen range (1 h … 1 y) or the range a
 * person zoomed to by dragging across a chart (re-queried, so at a finer resolution), the average
 * drawn inside a band from min to max, live readings flowing in while the range ends now, metrics
 * picked by checkboxes, and other devices' series of the same metric to compare with.
 */
import type { ReadingInterval, ReadingIntervals, Resolution } from '@fleet/core';
import { useEffect, useMemo, useState } from 'react';
import type { Api } from '../api.ts';
import { ErrorNotice } from '../error-notice.tsx';
import { formatValue, metricLabel, shownTime, type MetricDisplay } from '../format.ts';
import { alignTo, mergeLive, unionTimes } from '../history-series.ts';
import type { LiveReading } from '../live.ts';
import { TimeChart, type ChartBand, type ChartSeries } from '../time-chart.tsx';
import { ComparePicker, type ComparedDevice } from './compare-picker.tsx';
import { seriesColor, seriesColors } from '../chart-palette.ts';

/** The history's ranges: up to a year, as long as rollups are kept (the Data Service reads the coarsest level that fills the points). */
export const historyRanges = [
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
/** The device's own colour first, then one per compared device. */
const maxPoints = 300;

interface Answers {
  readonly own: ReadingIntervals;
  readonly compared: readonly { readonly device: ComparedDevice; readonly answer: ReadingIntervals }[];
}

export function DeviceHistoryPanel(props: {
  api: Api;
  deviceId: string;
  deviceName: string;
  live: readonly LiveReading[];
  display: MetricDisplay;
}) {
  const { api, deviceId } = props;
  // `requestedAt` makes a click on the current range fetch again (new readings may have arrived).
  const [{ range, requestedAt }, setRangeRequest] = useState({ range: historyRanges[0]?.ms ?? 3_600_000, requestedAt: Date.now() });
  const [zoom, setZoom] = useState<{ from: number; to: number }>();
  const [compared, setCompared] = useState<readonly ComparedDevice[]>([]);
  const [hidden, setHidden] = useState<ReadonlySet<string>>(new Set());
  const [answers, setAnswers] = useState<Answers>();
  const [error, setError] = useState<unknown>();

  useEffect(() => {
    const { from, to } = zoom ?? { from: requestedAt - range, to: requestedAt };
    let current = true;
    // The last range's chart and resolution go at once: a failed request must not leave them shown as this range's.
    setAnswers(undefined);
    setError(undefined);
    Promise.all([
      api.history(deviceId, from, to, maxPoints),
      ...compared.map(async (device) => ({ device, answer: await api.history(device.deviceId, from, to, maxPoints) })),
    ]).then(
      ([own, ...others]) => current && setAnswers({ own, compared: others }),
      (err: unknown) => current && setError(err),
    );
    return () => {
      current = false;
    };
  }, [api, deviceId, range, requestedAt, zoom, compared]);

  // While the range ends now, readings arriving live join the history (the device's own series).
  const following = zoom === undefined;
  const own = answers?.own;
  const ownMetrics = useMemo(() => {
    if (!own) return {};
    const merged: Record<string, ReadingInterval[]> = {};
    const names = new Set([...Object.keys(own.metrics), ...(following ? props.live.flatMap((r) => Object.keys(r.values)) : [])]);
    for (const m of [...names].sort())
      merged[m] = following ? mergeLive(own.metrics[m] ?? [], props.live, m, own) : [...(own.metrics[m] ?? [])];
    return merged;
  }, [own, props.live, following]);
  const newestLive = following ? Math.max(...props.live.map((r) => r.ts)) : -Infinity;
  const span = own && { from: own.from + Math.max(0, newestLive - own.to), to: Math.max(own.to, newestLive) };
  const metrics = Object.keys(ownMetrics).filter((m) => (ownMetrics[m]?.length ?? 0) > 0);
  // Per metric, the compared devices' series: kept between renders so a chart redraws only when they change.
  const comparedOf = useMemo(() => {
    const byMetric = new Map<string, ComparedSeries[]>();
    for (const m of metrics)
      byMetric.set(
        m,
        (answers?.compared ?? [])
          .map(({ device, answer }, i) => ({
            name: device.name,
            color: seriesColor(i + 1),
            intervals: answer.metrics[m] ?? [],
          }))
          // A device without this metric in the range has nothing to compare on its chart.
          .filter((c) => c.intervals.length > 0),
      );
    return byMetric;
    // `metrics` is derived from `ownMetrics`; its joined names say when it changed.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [answers, metrics.join()]);

  return (
    <div className="card history">
      <h3>History</h3>
      <div className="ranges">
        {historyRanges.map((r) => (
          <button
            key={r.label}
            className={r.ms === range && !zoom ? '' : 'secondary'}
            aria-pressed={r.ms === range && !zoom}
            onClick={() => {
              setZoom(undefined);
              setRangeRequest({ range: r.ms, requestedAt: Date.now() });
            }}
            data-testid={`range-${r.label.replace(' ', '')}`}
          >
            {r.label}
          </button>
        ))}
        {zoom && (
          <>
            <span className="muted" data-testid="zoomed-to">
              Zoomed to {shownTime(new Date(zoom.from).toISOString())} – {shownTime(new Date(zoom.to).toISOString())}
            </span>
            <button className="secondary" onClick={() => setZoom(undefined)}>
              Reset zoom
            </button>
          </>
        )}
      </div>
      <ComparePicker api={api} deviceId={deviceId} compared={compared} onChange={setCompared} colors={seriesColors.slice(1)} />
      <ErrorNotice error={error} />
      {!answers && error === undefined && <p className="muted">Loading…</p>}
      {own && (
        <p className="muted" data-testid="history-resolution">
          Computed from {resolutionLabels[own.resolution ?? 'raw']}, {Math.round(own.intervalMs / 1000).toLocaleString()} s a point.
          {following ? '' : ' Drag across a chart to zoom further.'}
        </p>
      )}
      {own && metrics.length === 0 && <p className="muted">No readings in this range.</p>}
      {metrics.length > 0 && (
        <fieldset className="metric-picker">
          <legend>Metrics shown</legend>
          {metrics.map((m) => (
            <label key={m}>
              <input
                type="checkbox"
                checked={!hidden.has(m)}
                onChange={(e) => {
                  const next = new Set(hidden);
                  if (e.target.checked) next.delete(m);
                  else next.add(m);
                  setHidden(next);
                }}
              />
              {metricLabel(m, props.display[m])}
            </label>
          ))}
        </fieldset>
      )}
      {answers &&
        metrics
          .filter((m) => !hidden.has(m))
          .map((m) => (
            <MetricChart
              key={m}
              metric={m}
              deviceName={props.deviceName}
              own={ownMetrics[m] ?? []}
              compared={comparedOf.get(m) ?? noSeries}
              display={props.display}
              span={span}
              onZoom={setZoom}
            />
          ))}
    </div>
  );
}

interface ComparedSeries {
  readonly name: string;
  readonly color: string;
  readonly intervals: readonly ReadingInterval[];
}
const noSeries: readonly ComparedSeries[] = [];

function MetricChart(props: {
  metric: string;
  deviceName: string;
  own: readonly ReadingInterval[];
  compared: readonly ComparedSeries[];
  display: MetricDisplay;
  span: { from: number; to: number } | undefined;
  onZoom: (range: { from: number; to: number }) => void;
}) {
  const { metric, own, compared } = props;
  const setting = props.display[metric];
  const format = useMemo(() => (v: number) => formatValue(v, setting), [setting]);
  const { times, series } = useMemo(() => {
    const times = unionTimes([own, ...compared.map((c) => c.intervals)]);
    const color = seriesColor(0);
    const series: ChartSeries[] = [
      { label: `${props.deviceName} avg`, color, values: alignTo(times, own, (i) => i.avg) },
      // The band's edges: no line of their own, their values in the legend.
      { label: `${props.deviceName} min`, color, width: 0, values: alignTo(times, own, (i) => i.min) },
      { label: `${props.deviceName} max`, color, width: 0, values: alignTo(times, own, (i) => i.max) },
      ...compared.map((c) => ({ label: `${c.name} avg`, color: c.color, values: alignTo(times, c.intervals, (i) => i.avg) })),
    ];
    return { times, series };
  }, [own, compared, props.deviceName]);
  const bands: ChartBand[] = useMemo(() => [{ upper: 2, lower: 1, fill: 'rgba(37, 99, 235, 0.18)' }], []);
  const label = metricLabel(metric, setting);
  return (
    <div>
      <h4>{label}</h4>
      <TimeChart
        testId={`history-chart-${metric}`}
        label={`${label} over time: average with its min–max band`}
        height={200}
        span={props.span}
        times={times}
        series={series}
        bands={bands}
        format={format}
        onZoom={props.onZoom}
      />
    </div>
  );
}
