/** `/dashboards`: the caller's dashboards and those shared in the organisation, and a new one by name. */
import { useCallback, useState } from 'react';
import type { Api } from '../api.ts';
import { ErrorNotice } from '../error-notice.tsx';
import { FormError, RouteLink, useSubmit } from '../form-kit.tsx';
import { timeAgo } from '../format.ts';
import { usePolled } from '../polling.ts';

export const dashboardsPath = '/dashboards';
export const dashboardPath = (id: string) => `${dashboardsPath}/${encodeURIComponent(id)}`;

export default function DashboardsPage(props: { api: Api; navigate: (to: string) => void }) {
  const { api, navigate } = props;
  const { value, error } = usePolled(useCallback(() => api.dashboards(), [api]));
  const [name, setName] = useState('');
  const submit = useSubmit();

  return (
    <>
      <h1>Dashboards</h1>
      <section className="card" aria-labelledby="new-dashboard">
        <h2 id="new-dashboard">New dashboard</h2>
        <form
          className="inline"
          onSubmit={submit.run(async () => {
            const created = await api.createDashboard({
              name: name.trim(),
              shared: false,
              timeRange: { kind: 'relative', last: '24h' },
              refresh: '30s',
              widgets: [],
            });
            navigate(dashboardPath(created.id));
          })}
        >
          <label>
            Name
            <input name="dashboard-name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={128} />
          </label>
          <button type="submit" disabled={submit.busy || name.trim() === ''}>
            Create
          </button>
        </form>
        <FormError error={submit.error} />
      </section>
      <section className="card" aria-labelledby="all-dashboards">
        <h2 id="all-dashboards">Yours and shared</h2>
        {error !== undefined && <ErrorNotice error={error} />}
        {!value && error === undefined && <p className="muted">Loading…</p>}
        {value && value.dashboards.length === 0 && <p className="muted">No dashboards yet.</p>}
        {value && value.dashboards.length > 0 && (
          <div className="table-scroll">
            <table data-testid="dashboard-list">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Owner</th>
                  <th scope="col">Widgets</th>
                  <th scope="col">Changed</th>
                </tr>
              </thead>
              <tbody>
                {value.dashboards.map((d) => (
                  <tr key={d.id}>
                    <td>
                      <RouteLink to={dashboardPath(d.id)} navigate={navigate}>
                        {d.name}
                      </RouteLink>{' '}
                      {d.shared && <span className="badge done">shared</span>}
                    </td>
                    <td>{d.editable ? d.ownerName : `${d.ownerName} (read-only)`}</td>
                    <td>{d.widgetCount}</td>
                    <td>{timeAgo(d.updatedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
