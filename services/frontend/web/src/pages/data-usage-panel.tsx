/**
 * The data's volume per store (measured: DynamoDB's table figures, an S3 listing) and what it
 * costs a month (modelled from the fleet's size, its measured rate and the retention, every price
 * with its date), next to the retention that drives it.
 */
import type { DataStore } from '@fleet/core';
import { useCallback } from 'react';
import type { Api } from '../api.ts';
import { ErrorNotice } from '../error-notice.tsx';
import { shownTime } from '../format.ts';
import { usePolled } from '../polling.ts';

const storeLabels: Record<DataStore, string> = {
  raw: 'Raw readings (DynamoDB)',
  rollups: 'Rollups (DynamoDB)',
  archive: 'Raw archive (S3)',
  exports: 'Exports (S3)',
};

/** 1,234,567 bytes → "1.2 MB". */
export function shownBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

export const usd = (value: number) => `$${value < 1 ? value.toFixed(4) : value.toFixed(2)}`;

export function DataUsagePanel(props: { api: Api }) {
  const load = useCallback(() => props.api.dataUsage(), [props.api]);
  const { value, error } = usePolled(load);
  return (
    <div className="card">
      <h2>Data volume and cost</h2>
      <ErrorNotice error={error} />
      {!value && error === undefined && <p className="muted">Loading…</p>}
      {value && (
        <>
          <table data-testid="data-volumes">
            <thead>
              <tr>
                <th>Store</th>
                <th>Items</th>
                <th>Size</th>
              </tr>
            </thead>
            <tbody>
              {value.volumes.map((v) => (
                <tr key={v.store} data-testid={`volume-${v.store}`}>
                  <td>{storeLabels[v.store]}</td>
                  <td>
                    {v.approximate ? '≈ ' : ''}
                    {v.items.toLocaleString()}
                  </td>
                  <td>
                    {v.approximate ? '≈ ' : ''}
                    {shownBytes(v.bytes)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="muted">Measured {shownTime(value.measuredAt)} (DynamoDB refreshes its table figures about every six hours).</p>
          <p data-testid="cost-summary">
            Modelled AWS cost: <strong>{usd(value.model.monthlyUsd)}</strong> a month,{' '}
            <strong>{usd(value.model.perMillionReadingsUsd)}</strong> per million readings, for {value.model.devices} device(s) at{' '}
            {value.model.readingsPerSecond.toLocaleString()} readings/s.
          </p>
          <table data-testid="cost-lines">
            <thead>
              <tr>
                <th>Billed item</th>
                <th>USD a month</th>
                <th>Basis</th>
              </tr>
            </thead>
            <tbody>
              {value.model.lines.map((line) => (
                <tr key={line.item}>
                  <td>{line.item}</td>
                  <td>{usd(line.usd)}</td>
                  <td className="muted">{line.basis}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="muted">Prices as of {value.model.pricesAsOf}.</p>
        </>
      )}
    </div>
  );
}
