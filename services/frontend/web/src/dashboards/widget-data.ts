/**
 * What each widget of a dashboard reads, from the APIs that already exist, bounded by the widget's
 * configuration (core's `dashboardLimits`): one telemetry call per series, one device call per
 * latest value, gauge or table row, one alarm page, one status-count call. Nothing lists the fleet.
 */
import type { Alarm, DeviceStatusCounts, LatestReading, WidgetConfig } from '@fleet/core';
import type { Api } from '../api.ts';

/** Points of a time-series widget's chart (each series is downsampled to this many intervals). */
export const chartPoints = 300;

export interface SeriesData {
  readonly label: string;
  readonly points: readonly { readonly t: number; readonly avg: number }[];
}

export type WidgetData =
  | { readonly kind: 'timeseries'; readonly series: readonly SeriesData[] }
  | { readonly kind: 'latest' | 'gauge'; readonly latest: LatestReading | undefined }
  | { readonly kind: 'table'; readonly rows: readonly { readonly deviceId: string; readonly latest: LatestReading | undefined }[] }
  | { readonly kind: 'alarms'; readonly alarms: readonly Alarm[] }
  | { readonly kind: 'status'; readonly counts: DeviceStatusCounts };

export async function loadWidget(api: Api, config: WidgetConfig, range: { from: number; to: number }): Promise<WidgetData> {
  switch (config.kind) {
    case 'timeseries':
      return {
        kind: 'timeseries',
        series: await Promise.all(
          config.series.map(async ({ deviceId, metric }) => {
            const answer = await api.metricHistory(deviceId, metric, range.from, range.to, chartPoints);
            return { label: `${deviceId} ${metric}`, points: (answer.metrics[metric] ?? []).map((p) => ({ t: p.t, avg: p.avg })) };
          }),
        ),
      };
    case 'latest':
    case 'gauge':
      return { kind: config.kind, latest: (await api.device(config.source.deviceId)).latest };
    case 'table':
      return {
        kind: 'table',
        rows: await Promise.all(config.deviceIds.map(async (deviceId) => ({ deviceId, latest: (await api.device(deviceId)).latest }))),
      };
    case 'alarms':
      return {
        kind: 'alarms',
        alarms: (await api.alarms(config.status ? { status: config.status } : {})).alarms.slice(0, config.limit),
      };
    case 'status':
      return { kind: 'status', counts: await api.deviceStatusCounts() };
  }
}

/**
 * The series of a time-series widget on one time axis: the union of their interval starts, each
 * series `null` where it has no interval (a gap, not a line drawn across it).
 */
export function alignSeries(series: readonly SeriesData[]): { times: number[]; values: (number | null)[][] } {
  const times = [...new Set(series.flatMap((s) => s.points.map((p) => p.t)))].sort((a, b) => a - b);
  const values = series.map((s) => {
    const byTime = new Map(s.points.map((p) => [p.t, p.avg]));
    return times.map((t) => byTime.get(t) ?? null);
  });
  return { times, values };
}

/** A reading as a person reads it: grouped thousands, `decimals` digits (1 unless the widget says). */
export function formatReading(value: number | undefined, decimals = 1): string {
  if (value === undefined) return '—';
  return new Intl.NumberFormat('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals }).format(value);
}
