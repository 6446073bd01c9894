/**
 * One dashboard at `/dashboards/:id`. View mode renders its widgets from the existing APIs for the
 * dashboard's time range, again at each auto-refresh; edit mode (owner or admin) adds, removes,
 * configures, drags and resizes widgets and saves the whole dashboard with the version it started
 * from, so an edit made meanwhile by someone else is reported (409) instead of overwritten.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import {
  dashboardProblems,
  placeWidget,
  refreshIntervals,
  resolveTimeRange,
  widgetKinds,
  type Dashboard,
  type DashboardInput,
  type Widget,
  type WidgetKind,
} from '@fleet/core';
import type { Api } from '../api.ts';
import { ApiError } from '../api.ts';
import { ErrorNotice } from '../error-notice.tsx';
import { RouteLink } from '../form-kit.tsx';
import { DashboardGrid } from '../dashboards/dashboard-grid.tsx';
import { DashboardToolbar } from '../dashboards/dashboard-toolbar.tsx';
import { Field } from '../dashboards/field.tsx';
import { kindLabels, newWidget } from '../dashboards/widget-drafts.ts';
import { WidgetForm } from '../dashboards/widget-form.tsx';
import { WidgetView } from '../dashboards/widget-view.tsx';

const inputOf = ({ name, shared, timeRange, refresh, widgets }: Dashboard): DashboardInput => ({
  name,
  shared,
  timeRange,
  refresh,
  widgets,
});

export default function DashboardPage(props: { api: Api; id: string; navigate: (to: string) => void }) {
  const { api, id, navigate } = props;
  const [dashboard, setDashboard] = useState<Dashboard>();
  const [draft, setDraft] = useState<DashboardInput>();
  const [editing, setEditing] = useState(false);
  const [selected, setSelected] = useState<string>();
  const [addKind, setAddKind] = useState<WidgetKind>('timeseries');
  const [error, setError] = useState<unknown>();
  const [saveError, setSaveError] = useState<unknown>();
  const [tick, setTick] = useState(0);
  const [now, setNow] = useState(() => Date.now());
  const [deviceIds, setDeviceIds] = useState<string[]>([]);

  const load = useCallback(() => {
    api.dashboard(id).then(
      (d) => {
        setDashboard(d);
        setDraft(inputOf(d));
        setError(undefined);
      },
      (e: unknown) => setError(e),
    );
  }, [api, id]);
  useEffect(load, [load]);

  // Auto-refresh: every widget asks again, a relative range moves on to now.
  const every = draft ? refreshIntervals[draft.refresh] : 0;
  useEffect(() => {
    if (every === 0) return;
    const timer = setInterval(() => {
      setNow(Date.now());
      setTick((t) => t + 1);
    }, every * 1000);
    return () => clearInterval(timer);
  }, [every]);

  // Device ids to suggest in widget settings: the first page of the registry, never the whole fleet.
  useEffect(() => {
    if (!editing || deviceIds.length > 0) return;
    api.devices().then(
      (page) => setDeviceIds(page.items.map((d) => d.deviceId)),
      () => undefined,
    );
  }, [api, editing, deviceIds.length]);

  const range = useMemo(() => (draft ? resolveTimeRange(draft.timeRange, now) : { from: 0, to: 1 }), [draft, now]);

  if (error !== undefined) {
    return (
      <div className="card">
        <ErrorNotice error={error} />
        <RouteLink to="/dashboards" navigate={navigate}>
          All dashboards
        </RouteLink>
      </div>
    );
  }
  if (!dashboard || !draft) return <p className="dash-note">Loading…</p>;

  const setWidgets = (widgets: Widget[]) => setDraft({ ...draft, widgets });
  const selectedWidget = draft.widgets.find((w) => w.id === selected);
  const problems = dashboardProblems(draft);

  const save = async () => {
    setSaveError(undefined);
    try {
      const saved = await api.saveDashboard(id, { ...draft, version: dashboard.version });
      setDashboard(saved);
      setDraft(inputOf(saved));
      setEditing(false);
      setSelected(undefined);
    } catch (err) {
      setSaveError(err);
    }
  };
  const remove = async () => {
    if (!window.confirm(`Delete the dashboard "${dashboard.name}"?`)) return;
    try {
      await api.deleteDashboard(id);
      navigate('/dashboards');
    } catch (err) {
      setSaveError(err);
    }
  };

  return (
    <div className="dashboard-page">
      <div className="dash-title">
        <h1>{editing ? `Editing ${draft.name || dashboard.name}` : dashboard.name}</h1>
        <span className="dash-note" data-testid="dashboard-owner">
          {dashboard.editable
            ? dashboard.shared
              ? 'Yours, shared with the organisation'
              : 'Yours'
            : `Shared by ${dashboard.ownerName} · read-only`}
        </span>
        <span className="spacer" />
        {dashboard.editable && !editing && (
          <button type="button" onClick={() => setEditing(true)}>
            Edit
          </button>
        )}
        {editing && (
          <>
            <button type="button" onClick={() => void save()} disabled={problems.length > 0}>
              Save
            </button>
            <button
              type="button"
              className="secondary"
              onClick={() => {
                setDraft(inputOf(dashboard));
                setEditing(false);
                setSelected(undefined);
                setSaveError(undefined);
              }}
            >
              Cancel
            </button>
            <button type="button" className="danger" onClick={() => void remove()}>
              Delete
            </button>
          </>
        )}
      </div>
      <DashboardToolbar draft={draft} editing={editing} onChange={setDraft} />
      {saveError !== undefined && (
        <div className="card" role="alert">
          <ErrorNotice error={saveError} />
          {saveError instanceof ApiError && saveError.code === 'DashboardVersionConflict' && (
            <button type="button" className="secondary" onClick={load}>
              Reload the saved version (your changes are dropped)
            </button>
          )}
        </div>
      )}
      {editing && problems.length > 0 && (
        <ul className="error" data-testid="dashboard-problems">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      {editing && (
        <div className="dash-add">
          <Field label="Widget kind">
            {(fieldId) => (
              <select id={fieldId} value={addKind} onChange={(e) => setAddKind(e.target.value as WidgetKind)}>
                {widgetKinds.map((k) => (
                  <option key={k} value={k}>
                    {kindLabels[k]}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <button
            type="button"
            onClick={() => {
              const widget = newWidget(addKind, draft.widgets, deviceIds[0] ?? '');
              setWidgets([...draft.widgets, widget]);
              setSelected(widget.id);
            }}
          >
            Add widget
          </button>
          <datalist id="dashboard-devices">
            {deviceIds.map((d) => (
              <option key={d} value={d} />
            ))}
          </datalist>
        </div>
      )}
      {editing && selectedWidget && (
        <WidgetForm
          widget={selectedWidget}
          deviceListId="dashboard-devices"
          onConfig={(patch) => setWidgets(draft.widgets.map((w) => (w.id === selectedWidget.id ? { ...w, ...patch } : w)))}
          onLayout={(rect) => setWidgets(placeWidget(draft.widgets, selectedWidget.id, rect))}
          onDone={() => setSelected(undefined)}
        />
      )}
      {draft.widgets.length === 0 && (
        <p className="dash-note">No widgets yet{dashboard.editable ? ': choose Edit, then Add widget.' : '.'}</p>
      )}
      <DashboardGrid
        widgets={draft.widgets}
        editing={editing}
        onChange={setWidgets}
        render={(w) => <WidgetView api={api} widget={w} range={range} tick={tick} />}
        tools={(w) => (
          <span className="dash-tools">
            <button type="button" className="secondary" onClick={() => setSelected(w.id)} aria-label={`Configure ${w.title}`}>
              Configure
            </button>
            <button
              type="button"
              className="secondary"
              onClick={() => {
                setWidgets(draft.widgets.filter((o) => o.id !== w.id));
                if (selected === w.id) setSelected(undefined);
              }}
              aria-label={`Remove ${w.title}`}
            >
              Remove
            </button>
          </span>
        )}
      />
    </div>
  );
}
