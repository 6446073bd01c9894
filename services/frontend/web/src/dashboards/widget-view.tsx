/** One widget of a dashboard as a person sees it: loads its data on each refresh tick and shows it by kind. */
import { useEffect, useState } from 'react';
import type { Widget } from '@fleet/core';
import type { Api } from '../api.ts';
import { ErrorNotice } from '../error-notice.tsx';
import { timeAgo } from '../format.ts';
import { TimeChart } from '../time-chart.tsx';
import { alignSeries, formatReading, loadWidget, type WidgetData } from './widget-data.ts';
import { seriesColor } from '../chart-palette.ts';

export function WidgetView(props: { api: Api; widget: Widget; range: { from: number; to: number }; tick: number }) {
  const { api, widget, range, tick } = props;
  const [data, setData] = useState<WidgetData>();
  const [error, setError] = useState<unknown>();
  const config = JSON.stringify(widget.config);

  useEffect(() => {
    let current = true;
    loadWidget(api, widget.config, range).then(
      (d) => current && (setData(d), setError(undefined)),
      (e: unknown) => current && setError(e),
    );
    return () => {
      current = false;
    };
    // The config's content (not its identity) and the range decide what to load; `tick` asks again.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, config, range.from, range.to, tick]);

  if (error !== undefined) return <ErrorNotice error={error} />;
  if (!data || data.kind !== widget.config.kind) return <p className="muted">Loading…</p>;
  return <WidgetBody widget={widget} data={data} range={range} />;
}

function WidgetBody({ widget, data, range }: { widget: Widget; data: WidgetData; range: { from: number; to: number } }) {
  const config = widget.config;
  switch (data.kind) {
    case 'timeseries': {
      const { times, values } = alignSeries(data.series);
      return (
        <TimeChart
          testId={`chart-${widget.id}`}
          times={times}
          span={range}
          height={Math.max(120, widget.layout.h * 80 - 110)}
          series={data.series.map((s, i) => ({ label: s.label, color: seriesColor(i), values: values[i] ?? [] }))}
        />
      );
    }
    case 'latest':
    case 'gauge': {
      if (config.kind !== 'latest' && config.kind !== 'gauge') return null;
      const value = data.latest?.values[config.source.metric];
      return (
        <div className="dash-value">
          <b data-testid={`value-${widget.id}`}>{formatReading(value, config.decimals)}</b>
          <span className="muted">
            {config.source.deviceId} · {config.source.metric}
            {data.latest ? ` · ${timeAgo(new Date(data.latest.receivedAt).toISOString())}` : ' · no reading yet'}
          </span>
          {config.kind === 'gauge' && value !== undefined && (
            <div className="dash-gauge">
              <meter
                min={config.min}
                max={config.max}
                value={value}
                aria-label={`${config.source.metric} between ${config.min} and ${config.max}`}
              />
              <span className="muted">
                {formatReading(config.min, config.decimals)} – {formatReading(config.max, config.decimals)}
              </span>
            </div>
          )}
        </div>
      );
    }
    case 'table': {
      if (config.kind !== 'table') return null;
      return (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Device</th>
                {config.metrics.map((m) => (
                  <th scope="col" key={m}>
                    {m}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {data.rows.map((row) => (
                <tr key={row.deviceId}>
                  <th scope="row">{row.deviceId}</th>
                  {config.metrics.map((m) => (
                    <td key={m}>{formatReading(row.latest?.values[m])}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      );
    }
    case 'alarms':
      return data.alarms.length === 0 ? (
        <p className="muted">No alarms.</p>
      ) : (
        <ul className="dash-alarms">
          {data.alarms.map((a) => (
            <li key={`${a.definitionId}/${a.deviceId}/${a.occurrence}`}>
              <span className={`badge severity-${a.severity}`}>{a.severity}</span> {a.name} · {a.deviceId} · {a.status}
            </li>
          ))}
        </ul>
      );
    case 'status':
      return (
        <dl className="dash-status" data-testid={`status-${widget.id}`}>
          {(['online', 'silent', 'offline'] as const).map((s) => (
            <div key={s}>
              <dt>{s}</dt>
              <dd data-testid={`status-${s}`}>{formatReading(data.counts[s], 0)}</dd>
            </div>
          ))}
        </dl>
      );
  }
}
