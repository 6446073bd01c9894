/**
 * A uPlot time-series chart: x in epoch ms, one or more series, optional bands between two series
 * (min–max around an average), values formatted by the caller's formatter on the y axis and in the
 * legend, and drag-to-zoom reported to the caller (who re-queries at a finer resolution).
 *
 * What a person sees is also written on the element for the browser tests: the x range
 * (`data-x-min` / `data-x-max`, epoch ms; `data-x-span-s`), the time labels under the axis
 * (`data-x-ticks`, exactly the strings drawn), the series' labels and the number of bands.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatValue } from './format.ts';
import { timeTick } from './time-ticks.ts';

export interface ChartSeries {
  readonly label: string;
  readonly values: readonly (number | null)[];
  readonly color: string;
  /** Line width in CSS px; 0 draws no line (the edge of a band). @default 2 */
  readonly width?: number;
  /** Formats this series' values in the legend (a chart of several metrics). @default the chart's `format` */
  readonly format?: (value: number) => string;
}

/** A filled area between two series, by their index in `series` (upper first). */
export interface ChartBand {
  readonly upper: number;
  readonly lower: number;
  readonly fill: string;
}

export interface TimeChartProps {
  times: readonly number[];
  series: readonly ChartSeries[];
  bands?: readonly ChartBand[];
  height?: number;
  testId?: string;
  /** Accessible name of the chart (its canvas is an image to assistive technology). */
  label?: string;
  /** The time axis spans exactly this range (epoch ms) instead of the data's extent: a chart of a chosen range. */
  span?: { readonly from: number; readonly to: number } | undefined;
  /** Formats y values on the axis and in the legend. @default `formatValue` without a setting (at most two decimals) */
  format?: (value: number) => string;
  /** Called with the range (epoch ms) a person selected by dragging across the chart. */
  onZoom?: (range: { from: number; to: number }) => void;
}

export function TimeChart(props: TimeChartProps) {
  const container = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = `${props.series.map((s) => `${s.label}:${s.color}:${s.width ?? 2}`).join('|')}#${(props.bands ?? []).map((b) => `${b.upper}-${b.lower}`).join()}`;
  // Read by uPlot's callbacks at each redraw, so a new span, formatter or zoom handler needs no new plot.
  const latest = useRef(props);
  latest.current = props;

  useEffect(() => {
    const el = container.current;
    if (!el) return;
    const fmt = (v: number | null | undefined, seriesIdx?: number) => {
      if (v === null || v === undefined) return '—';
      const own = seriesIdx === undefined ? undefined : latest.current.series[seriesIdx]?.format;
      return (own ?? latest.current.format ?? ((x: number) => formatValue(x)))(v);
    };
    const opts: uPlot.Options = {
      width: el.clientWidth || 640,
      height: props.height ?? 240,
      scales: {
        x: {
          time: true,
          range: (u, min, max) => {
            const span = latest.current.span;
            if (span) return [span.from / 1000, span.to / 1000];
            // uPlot widens the time axis of a single point by 86,400 / ms, which with seconds is 1,000 days;
            // a minute either side keeps one reading readable.
            const only = u.data[0].length === 1 ? u.data[0][0] : undefined;
            return only === undefined ? [min, max] : [only - 60, only + 60];
          },
        },
      },
      series: [
        {},
        ...props.series.map((s, i) => ({
          label: s.label,
          stroke: s.color,
          width: s.width ?? 2,
          // A band's edge is drawn by the band alone: no points of its own either.
          ...(s.width === 0 ? { points: { show: false } } : {}),
          spanGaps: false,
          value: (_u: uPlot, v: number | null) => fmt(v, i),
        })),
      ],
      bands: (props.bands ?? []).map((b) => ({ series: [b.upper + 1, b.lower + 1] as [number, number], fill: b.fill })),
      axes: [
        {
          // The labels a person reads under the axis, kept on the element for the tests.
          values: (u, splits, _axis, _space, incr) => {
            const labels = splits.map((s) =>
              timeTick(s * 1000, incr * 1000, ((u.scales['x']?.max ?? 0) - (u.scales['x']?.min ?? 0)) * 1000),
            );
            el.setAttribute('data-x-ticks', JSON.stringify(labels));
            return labels;
          },
        },
        { values: (_u, splits) => splits.map((v) => fmt(v)), size: 70 },
      ],
      cursor: { drag: { x: true, y: false, setScale: false } },
      hooks: {
        draw: [
          (u) => {
            const { min = 0, max = 0 } = u.scales['x'] ?? {};
            el.setAttribute('data-x-span-s', String(max - min));
            el.setAttribute('data-x-min', String(Math.round(min * 1000)));
            el.setAttribute('data-x-max', String(Math.round(max * 1000)));
          },
        ],
        setSelect: [
          (u) => {
            const onZoom = latest.current.onZoom;
            if (!onZoom || u.select.width < 2) return;
            const from = u.posToVal(u.select.left, 'x') * 1000;
            const to = u.posToVal(u.select.left + u.select.width, 'x') * 1000;
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            onZoom({ from: Math.round(from), to: Math.round(to) });
          },
        ],
      },
    };
    plot.current = new uPlot(opts, data(props), el);
    const resize = () => plot.current?.setSize({ width: el.clientWidth || 640, height: props.height ?? 240 });
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      plot.current?.destroy();
      plot.current = null;
    };
    // Rebuild only when the set of series changes; data updates go through setData below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shape, props.height]);

  const { times, series, format } = props;
  const { from, to } = props.span ?? {};
  useEffect(() => {
    plot.current?.setData(data({ times, series }));
    // A new formatter (a changed metric setting) redraws the axes and the legend.
  }, [times, series, from, to, format]);

  return (
    <div
      className="chart"
      ref={container}
      role="figure"
      aria-label={props.label ?? 'Chart'}
      data-testid={props.testId}
      data-points={props.times.length}
      data-series={props.series.map((s) => s.label).join('|')}
      data-bands={props.bands?.length ?? 0}
    />
  );
}

function data(props: { times: readonly number[]; series: readonly ChartSeries[] }): uPlot.AlignedData {
  // uPlot wants seconds on a time axis.
  return [props.times.map((t) => t / 1000), ...props.series.map((s) => [...s.values])] as uPlot.AlignedData;
}
