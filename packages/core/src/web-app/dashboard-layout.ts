/**
 * Layout maths of a dashboard's grid and the checks of a dashboard beyond its schema, one
 * definition for the API (which refuses a dashboard that breaks them) and the web app's editor
 * (which keeps a layout valid while a person drags, resizes or types). The grid is
 * react-grid-layout's model: `columns` columns, rows of a fixed height, a widget an (x, y, w, h)
 * rectangle; a widget moved onto others pushes them down, as react-grid-layout does.
 */
import { dashboardLimits, type DashboardInput, type GridRect, type Widget } from './dashboards.ts';

const { columns, maxRows, maxHeight } = dashboardLimits;

export function overlaps(a: GridRect, b: GridRect): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

/** The nearest rectangle inside the grid: width and height kept within bounds first, then the position. */
export function clampRect(rect: GridRect): GridRect {
  const w = Math.min(Math.max(Math.round(rect.w), 1), columns);
  const h = Math.min(Math.max(Math.round(rect.h), 1), maxHeight);
  return {
    x: Math.min(Math.max(Math.round(rect.x), 0), columns - w),
    y: Math.min(Math.max(Math.round(rect.y), 0), maxRows - h),
    w,
    h,
  };
}

/**
 * `widgets` with `id` at `rect` (clamped into the grid); every other widget, top to bottom, moves
 * down just below whatever already placed widget it covers, so the result never overlaps (react-
 * grid-layout's collision handling without its upward compaction: a person's gaps stay). Widgets
 * keep their order in the array (the reading order is `inReadingOrder`). When the pushed widgets
 * would pass the grid's last row, the move is refused: the widgets come back unchanged.
 */
export function placeWidget<T extends Pick<Widget, 'id' | 'layout'>>(widgets: readonly T[], id: string, rect: GridRect): T[] {
  const moved = widgets.find((w) => w.id === id);
  if (!moved) return [...widgets];
  const placed = new Map<string, GridRect>([[id, clampRect(rect)]]);
  const others = widgets.filter((w) => w.id !== id).sort((a, b) => a.layout.y - b.layout.y || a.layout.x - b.layout.x);
  for (const other of others) {
    let own = other.layout;
    for (
      let covered = [...placed.values()].find((p) => overlaps(p, own));
      covered;
      covered = [...placed.values()].find((p) => overlaps(p, own))
    ) {
      own = { ...own, y: covered.y + covered.h };
    }
    if (own.y + own.h > maxRows) return [...widgets];
    placed.set(other.id, own);
  }
  return widgets.map((w) => ({ ...w, layout: placed.get(w.id)! }));
}

/** The first row below every widget: where a new widget goes. */
export function nextFreeRow(widgets: readonly Pick<Widget, 'layout'>[]): number {
  return widgets.reduce((row, w) => Math.max(row, w.layout.y + w.layout.h), 0);
}

/** Top to bottom, left to right: the order a screen reader and a one-column phone layout follow. */
export function inReadingOrder<T extends Pick<Widget, 'layout'>>(widgets: readonly T[]): T[] {
  return [...widgets].sort((a, b) => a.layout.y - b.layout.y || a.layout.x - b.layout.x);
}

/** A pointer's movement in pixels as whole grid cells (half a cell or more counts). */
export function cellsMoved(pixels: number, cellPixels: number): number {
  return cellPixels > 0 ? Math.round(pixels / cellPixels) : 0;
}

/**
 * What is wrong with a dashboard that its schema cannot say: each problem names the widget and
 * what was received and expected. Empty when the dashboard may be stored.
 */
export function dashboardProblems(input: DashboardInput): string[] {
  const problems: string[] = [];
  if (input.timeRange.kind === 'absolute' && input.timeRange.to <= input.timeRange.from) {
    problems.push(`timeRange: to (${input.timeRange.to}) must be after from (${input.timeRange.from})`);
  }
  const seen = new Set<string>();
  input.widgets.forEach((widget, i) => {
    const at = `widgets/${i} ("${widget.id}")`;
    if (seen.has(widget.id)) problems.push(`${at}: the id is used by another widget`);
    seen.add(widget.id);
    const { x, y, w, h } = widget.layout;
    if (x + w > columns) problems.push(`${at}: x ${x} + w ${w} passes the grid's ${columns} columns`);
    if (y + h > maxRows) problems.push(`${at}: y ${y} + h ${h} passes the grid's ${maxRows} rows`);
    const other = input.widgets.slice(0, i).find((o) => overlaps(o.layout, widget.layout));
    if (other) problems.push(`${at}: overlaps widget "${other.id}"`);
    const config = widget.config;
    if (config.kind === 'gauge' && !(config.min < config.max)) {
      problems.push(`${at}: gauge min (${config.min}) must be below max (${config.max})`);
    }
    if (config.kind === 'timeseries') {
      const keys = config.series.map((s) => `${s.deviceId}/${s.metric}`);
      const repeated = keys.find((k, j) => keys.indexOf(k) !== j);
      if (repeated) problems.push(`${at}: the series ${repeated} is listed twice`);
    }
    if (config.kind === 'table') {
      const repeated = config.deviceIds.find((d, j) => config.deviceIds.indexOf(d) !== j);
      if (repeated) problems.push(`${at}: the device ${repeated} is listed twice`);
    }
  });
  return problems;
}
