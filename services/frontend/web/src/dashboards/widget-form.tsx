/**
 * The settings of one widget in edit mode: its title, its place and size as numbers (the keyboard
 * and screen-reader way to lay it out, next to dragging), and its kind's configuration.
 */
import { dashboardLimits, type DeviceMetric, type GridRect, type Widget, type WidgetConfig } from '@fleet/core';
import { Field } from './field.tsx';
import { kindLabels, listOf } from './widget-drafts.ts';

interface Props {
  widget: Widget;
  /** Device ids to suggest (a datalist): typing any id works too. */
  deviceListId: string;
  onConfig: (patch: { title?: string; config?: WidgetConfig }) => void;
  onLayout: (rect: GridRect) => void;
  onDone: () => void;
}

function NumberInput(props: {
  label: string;
  value: number | undefined;
  onChange: (n: number) => void;
  min?: number;
  max?: number;
  step?: string;
}) {
  return (
    <Field label={props.label}>
      {(id) => (
        <input
          id={id}
          type="number"
          value={props.value ?? ''}
          min={props.min}
          max={props.max}
          step={props.step ?? '1'}
          onChange={(e) => {
            const n = e.target.valueAsNumber;
            if (Number.isFinite(n)) props.onChange(n);
          }}
        />
      )}
    </Field>
  );
}

function SourceFields(props: { source: DeviceMetric; deviceListId: string; onChange: (s: DeviceMetric) => void; n?: number }) {
  const suffix = props.n === undefined ? '' : ` ${props.n}`;
  return (
    <>
      <Field label={`Device${suffix}`}>
        {(id) => (
          <input
            id={id}
            list={props.deviceListId}
            value={props.source.deviceId}
            onChange={(e) => props.onChange({ ...props.source, deviceId: e.target.value.trim() })}
          />
        )}
      </Field>
      <Field label={`Metric${suffix}`}>
        {(id) => (
          <input id={id} value={props.source.metric} onChange={(e) => props.onChange({ ...props.source, metric: e.target.value.trim() })} />
        )}
      </Field>
    </>
  );
}

function ConfigFields({ config, deviceListId, set }: { config: WidgetConfig; deviceListId: string; set: (c: WidgetConfig) => void }) {
  switch (config.kind) {
    case 'timeseries':
      return (
        <>
          {config.series.map((s, i) => (
            <fieldset key={i} className="dash-series">
              <legend>Series {i + 1}</legend>
              <SourceFields
                n={i + 1}
                source={s}
                deviceListId={deviceListId}
                onChange={(next) => set({ ...config, series: config.series.map((o, j) => (j === i ? next : o)) })}
              />
              {config.series.length > 1 && (
                <button
                  type="button"
                  className="secondary"
                  onClick={() => set({ ...config, series: config.series.filter((_, j) => j !== i) })}
                >
                  Remove series {i + 1}
                </button>
              )}
            </fieldset>
          ))}
          {config.series.length < dashboardLimits.maxSeriesPerWidget && (
            <button
              type="button"
              className="secondary"
              onClick={() => set({ ...config, series: [...config.series, { ...(config.series.at(-1) ?? { deviceId: '', metric: '' }) }] })}
            >
              Add series
            </button>
          )}
        </>
      );
    case 'latest':
    case 'gauge':
      return (
        <>
          <SourceFields source={config.source} deviceListId={deviceListId} onChange={(source) => set({ ...config, source })} />
          <NumberInput
            label="Decimals"
            value={config.decimals ?? 1}
            min={0}
            max={6}
            onChange={(decimals) => set({ ...config, decimals })}
          />
          {config.kind === 'gauge' && (
            <>
              <NumberInput label="Minimum" value={config.min} step="any" onChange={(min) => set({ ...config, min })} />
              <NumberInput label="Maximum" value={config.max} step="any" onChange={(max) => set({ ...config, max })} />
            </>
          )}
        </>
      );
    case 'table':
      return (
        <>
          <Field label="Devices (comma-separated)">
            {(id) => (
              <input id={id} value={config.deviceIds.join(', ')} onChange={(e) => set({ ...config, deviceIds: listOf(e.target.value) })} />
            )}
          </Field>
          <Field label="Metrics (comma-separated)">
            {(id) => (
              <input id={id} value={config.metrics.join(', ')} onChange={(e) => set({ ...config, metrics: listOf(e.target.value) })} />
            )}
          </Field>
        </>
      );
    case 'alarms':
      return (
        <>
          <Field label="Status">
            {(id) => (
              <select
                id={id}
                value={config.status ?? ''}
                onChange={(e) => {
                  const { status: _old, ...rest } = config;
                  const status = e.target.value;
                  set(status === 'ACTIVE' || status === 'ACKNOWLEDGED' || status === 'CLEARED' ? { ...rest, status } : rest);
                }}
              >
                <option value="">Any</option>
                <option value="ACTIVE">Active</option>
                <option value="ACKNOWLEDGED">Acknowledged</option>
                <option value="CLEARED">Cleared</option>
              </select>
            )}
          </Field>
          <NumberInput
            label="Rows"
            value={config.limit}
            min={1}
            max={dashboardLimits.maxAlarmRows}
            onChange={(limit) => set({ ...config, limit })}
          />
        </>
      );
    case 'status':
      return (
        <p className="muted">Counts every device the platform has heard from: online, silent (connected, no recent reading), offline.</p>
      );
  }
}

export function WidgetForm({ widget, deviceListId, onConfig, onLayout, onDone }: Props) {
  const rect = widget.layout;
  return (
    <section className="card" aria-label={`Settings of ${widget.title}`} data-testid="widget-form">
      <h2>
        {kindLabels[widget.config.kind]}: {widget.title}
      </h2>
      <div className="dash-form">
        <Field label="Title">
          {(id) => (
            <input
              id={id}
              value={widget.title}
              maxLength={dashboardLimits.maxTitleLength}
              onChange={(e) => onConfig({ title: e.target.value })}
            />
          )}
        </Field>
        <NumberInput
          label="Column"
          value={rect.x + 1}
          min={1}
          max={dashboardLimits.columns}
          onChange={(n) => onLayout({ ...rect, x: n - 1 })}
        />
        <NumberInput
          label="Row"
          value={rect.y + 1}
          min={1}
          max={dashboardLimits.maxRows}
          onChange={(n) => onLayout({ ...rect, y: n - 1 })}
        />
        <NumberInput label="Width" value={rect.w} min={1} max={dashboardLimits.columns} onChange={(w) => onLayout({ ...rect, w })} />
        <NumberInput label="Height" value={rect.h} min={1} max={dashboardLimits.maxHeight} onChange={(h) => onLayout({ ...rect, h })} />
        <ConfigFields config={widget.config} deviceListId={deviceListId} set={(config) => onConfig({ config })} />
      </div>
      <button type="button" onClick={onDone}>
        Done
      </button>
    </section>
  );
}
