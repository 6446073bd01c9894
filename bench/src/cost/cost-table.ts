/**
 * The cost of one fleet on both ingest paths, side by side: one row per billed item, then the
 * monthly total and the cost per million readings. Basis texts follow the table, once per item
 * (the broker path's; Basic Ingest differs only in the IoT lines, printed too when they differ).
 */
import type { CostModel } from '@fleet/core';

const usd = (x: number) => `$${x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

export function costTable(broker: CostModel, basic: CostModel): string {
  const basicByItem = new Map(basic.lines.map((l) => [l.item, l]));
  const width = Math.max(...broker.lines.map((l) => l.item.length), 'per million readings'.length) + 2;
  const row = (item: string, a: string, b: string) => `${item.padEnd(width)}${a.padStart(14)}${b.padStart(14)}`;
  const out = [row('item', 'broker', 'basic ingest'), '-'.repeat(width + 28)];
  for (const line of broker.lines) out.push(row(line.item, usd(line.usd), usd(basicByItem.get(line.item)?.usd ?? 0)));
  out.push('-'.repeat(width + 28));
  out.push(row('per month', usd(broker.monthlyUsd), usd(basic.monthlyUsd)));
  out.push(row('per million readings', usd(broker.perMillionReadingsUsd), usd(basic.perMillionReadingsUsd)));
  out.push('', `${Math.round(broker.readingsPerMonth).toLocaleString('en-US')} readings a month; prices as of ${broker.pricesAsOf}`, '');
  for (const line of broker.lines) {
    out.push(`${line.item}: ${line.basis}`);
    const other = basicByItem.get(line.item);
    if (other && other.basis !== line.basis) out.push(`${' '.repeat(line.item.length)}  basic ingest: ${other.basis}`);
  }
  return out.join('\n');
}
