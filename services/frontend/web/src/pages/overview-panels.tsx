/**
 * The Overview's panels below the device tiles: readings and rejects per minute (uPlot over the
 * last hour), open alarms by severity with the newest, and the newest dead letters. Each shows why
 * when its part of the answer is unavailable.
 */
import { alarmSeverities, type Overview } from '@fleet/core';
import { useMemo } from 'react';
import { RouteLink } from '../form-kit.tsx';
import { shownTime, timeAgo } from '../format.ts';
import { TimeChart } from '../time-chart.tsx';

type Available<T> = Extract<T, { available: true }>;

/** A part the API could not load: which, and why (e.g. "CloudWatch did not answer"). */
export function Unavailable(props: { what: string; reason: string }) {
  return (
    <p className="overview-unavailable" role="status" data-testid="part-unavailable">
      {props.what} unavailable: {props.reason}
    </p>
  );
}

/** A count as a person reads it in their locale: 10,000. */
export const count = (n: number) => n.toLocaleString();

function ThroughputChart(props: { throughput: Available<Overview['throughput']> }) {
  const { throughput } = props;
  const times = useMemo(() => throughput.minutes.map((m) => m.t), [throughput]);
  const series = useMemo(
    () => [
      { label: 'readings / min', color: '#2563eb', values: throughput.minutes.map((m) => m.readings) },
      { label: 'rejected / min', color: '#b91c1c', values: throughput.minutes.map((m) => m.rejected) },
    ],
    [throughput],
  );
  return (
    <>
      <p data-testid="throughput-totals">
        <strong data-testid="readings-total">{count(throughput.readings)}</strong> readings stored and{' '}
        <strong data-testid="rejected-total">{count(throughput.rejected)}</strong> rejected in the last hour
      </p>
      <TimeChart times={times} series={series} height={200} testId="throughput-chart" span={{ from: throughput.from, to: throughput.to }} />
    </>
  );
}

export function ThroughputPanel(props: { throughput: Overview['throughput'] }) {
  const { throughput } = props;
  return (
    <div className="card">
      <h3>Readings per minute</h3>
      {throughput.available ? (
        <ThroughputChart throughput={throughput} />
      ) : (
        <Unavailable what="Readings per minute" reason={throughput.reason} />
      )}
    </div>
  );
}

export function AlarmsPanel(props: { alarms: Overview['alarms']; navigate: (to: string) => void }) {
  const { alarms, navigate } = props;
  return (
    <div className="card">
      <h3>Active alarms</h3>
      {!alarms.available ? (
        <Unavailable what="Alarms" reason={alarms.reason} />
      ) : (
        <>
          <p data-testid="alarm-counts">
            <RouteLink to={alarms.link} navigate={navigate}>
              <span data-testid="alarms-total">{count(alarms.total)}</span>
              {alarms.more ? '+' : ''} open
            </RouteLink>{' '}
            ({count(alarms.byStatus.ACTIVE)} active, {count(alarms.byStatus.ACKNOWLEDGED)} acknowledged)
          </p>
          <ul className="overview-severities" aria-label="Open alarms by severity">
            {alarmSeverities
              .filter((s) => alarms.bySeverity[s] > 0)
              .map((s) => (
                <li key={s} className={`badge severity-${s}`} data-testid={`alarms-${s}`}>
                  {alarms.bySeverity[s]} {s}
                </li>
              ))}
          </ul>
          {alarms.newest.length === 0 ? (
            <p className="muted">No open alarms.</p>
          ) : (
            <ul className="overview-list" data-testid="newest-alarms">
              {alarms.newest.map((a) => (
                <li key={`${a.definitionId}/${a.deviceId}`}>
                  <span className={`badge severity-${a.severity}`}>{a.severity}</span>{' '}
                  <RouteLink to={a.link} navigate={navigate}>
                    {a.name} on {a.deviceId}
                  </RouteLink>{' '}
                  <span className="muted">
                    {a.reason}, {timeAgo(a.activeAt)}
                    {a.status === 'ACKNOWLEDGED' ? ', acknowledged' : ''}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </div>
  );
}

export function DeadLettersPanel(props: { deadLetters: NonNullable<Overview['deadLetters']>; navigate: (to: string) => void }) {
  const { deadLetters, navigate } = props;
  return (
    <div className="card">
      <h3>Recent dead letters</h3>
      {!deadLetters.available ? (
        <Unavailable what="Dead letters" reason={deadLetters.reason} />
      ) : (
        <>
          {deadLetters.newest.length === 0 ? (
            <p className="muted">No rejected readings in the last 7 days.</p>
          ) : (
            <ul className="overview-list" data-testid="newest-dead-letters">
              {deadLetters.newest.map((d) => (
                <li key={d.key}>
                  <strong>{d.deviceId ?? 'unknown device'}</strong>{' '}
                  <RouteLink to={d.link} navigate={navigate}>
                    {d.reason}
                  </RouteLink>{' '}
                  <span className="muted">{shownTime(new Date(d.receivedAt).toISOString())}</span>
                </li>
              ))}
            </ul>
          )}
          <p>
            <RouteLink to={deadLetters.link} navigate={navigate}>
              All dead letters
            </RouteLink>
          </p>
        </>
      )}
    </div>
  );
}
