/** New widgets as the editor adds them, and the text fields of a widget's form read back into its configuration. */
import { clampRect, dashboardLimits, nextFreeRow, type Widget, type WidgetConfig, type WidgetKind } from '@fleet/core';

export const kindLabels: Readonly<Record<WidgetKind, string>> = {
  timeseries: 'Time series',
  latest: 'Latest value',
  gauge: 'Gauge',
  table: 'Table',
  alarms: 'Alarm list',
  status: 'Status counts',
};

/** Default size of a new widget of each kind, in grid cells. */
const sizes: Readonly<Record<WidgetKind, { w: number; h: number }>> = {
  timeseries: { w: 8, h: 4 },
  latest: { w: 4, h: 2 },
  gauge: { w: 4, h: 3 },
  table: { w: 6, h: 3 },
  alarms: { w: 6, h: 3 },
  status: { w: 4, h: 2 },
};

function defaultConfig(kind: WidgetKind, deviceId: string): WidgetConfig {
  const source = { deviceId, metric: 'temperature' };
  switch (kind) {
    case 'timeseries':
      return { kind, series: [source] };
    case 'latest':
      return { kind, source, decimals: 1 };
    case 'gauge':
      return { kind, source, min: 0, max: 100, decimals: 1 };
    case 'table':
      return { kind, deviceIds: [deviceId], metrics: ['temperature'] };
    case 'alarms':
      return { kind, status: 'ACTIVE', limit: 10 };
    case 'status':
      return { kind };
  }
}

/** A widget of `kind` below the others, with an id no other widget has. */
export function newWidget(kind: WidgetKind, widgets: readonly Widget[], deviceId: string): Widget {
  let n = widgets.length + 1;
  while (widgets.some((w) => w.id === `w${n}`)) n++;
  return {
    id: `w${n}`,
    title: kindLabels[kind],
    layout: clampRect({ x: 0, y: Math.min(nextFreeRow(widgets), dashboardLimits.maxRows - sizes[kind].h), ...sizes[kind] }),
    config: defaultConfig(kind, deviceId || 'device-1'),
  };
}

/** Comma- or space-separated names, trimmed, without empties: `"a, b c"` → `['a', 'b', 'c']`. */
export function listOf(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
