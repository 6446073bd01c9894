/** A uPlot time-series chart: x in epoch ms, one or more series. */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  readonly label: string;
  readonly values: readonly (number | null)[];
  readonly color: string;
}

export function TimeChart(props: {
  times: readonly number[];
  series: readonly ChartSeries[];
  height?: number;
  testId?: string;
  /** The time axis spans exactly this range (epoch ms) instead of the data's extent: a chart of a chosen range. */
  span?: { readonly from: number; readonly to: number } | undefined;
}) {
  const container = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = props.series.map((s) => s.label).join('|');
  // Read by the scale's range function at each redraw, so a new span needs no new plot.
  const span = useRef(props.span);
  span.current = props.span;

  useEffect(() => {
    if (!container.current) return;
    const opts: uPlot.Options = {
      width: container.current.clientWidth || 640,
      height: props.height ?? 240,
      // uPlot widens the time axis of a single point by 86,400 / ms, which with seconds is 1,000 days;
      // a minute either side keeps one reading readable.
      scales: {
        x: {
          time: true,
          range: (u, min, max) => {
            if (span.current) return [span.current.from / 1000, span.current.to / 1000];
            const only = u.data[0].length === 1 ? u.data[0][0] : undefined;
            return only === undefined ? [min, max] : [only - 60, only + 60];
          },
        },
      },
      series: [{}, ...props.series.map((s) => ({ label: s.label, stroke: s.color, width: 2, spanGaps: false }))],
      axes: [{}, {}],
      // The x span the axis shows, in seconds, for what a person sees to be checkable (browser test).
      hooks: {
        draw: [(u) => container.current?.setAttribute('data-x-span-s', String((u.scales['x']?.max ?? 0) - (u.scales['x']?.min ?? 0)))],
      },
    };
    plot.current = new uPlot(opts, data(props), container.current);
    const resize = () => plot.current?.setSize({ width: container.current?.clientWidth ?? 640, height: props.height ?? 240 });
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      plot.current?.destroy();
      plot.current = null;
    };
    // Rebuild only when the set of series changes; data updates go through setData below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shape, props.height]);

  const { times, series } = props;
  const { from, to } = props.span ?? {};
  useEffect(() => {
    plot.current?.setData(data({ times, series }));
  }, [times, series, from, to]);

  return <div className="chart" ref={container} data-testid={props.testId} data-points={props.times.length} />;
}

function data(props: { times: readonly number[]; series: readonly ChartSeries[] }): uPlot.AlignedData {
  // uPlot wants seconds on a time axis.
  return [props.times.map((t) => t / 1000), ...props.series.map((s) => [...s.values])] as uPlot.AlignedData;
}
