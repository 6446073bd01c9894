import { describe, expect, it } from 'vitest';
import { defaultRetention, modelMonthlyCost } from '@fleet/core';
import { costTable } from './cost-table.ts';

describe('costTable', () => {
  it('puts both ingest paths side by side with their totals and the differing basis', () => {
    const fleet = { devices: 10, intervalSeconds: 60, metrics: 2, retention: defaultRetention, users: 0 };
    const table = costTable(
      modelMonthlyCost({ ...fleet, ingestPath: 'broker' }),
      modelMonthlyCost({ ...fleet, ingestPath: 'basic-ingest' }),
    );
    expect(table).toMatch(/^IoT Core messages\s+\$0\.44\s+\$0\.00$/m);
    expect(table).toMatch(/^Fargate\s+\$36\.04\s+\$36\.04$/m);
    expect(table).toMatch(/^per million readings\s+\$[\d.,]+\s+\$[\d.,]+$/m);
    expect(table).toContain('438,000 readings a month');
    expect(table).toContain('basic ingest: 438,000 Basic Ingest messages: no messaging charge');
  });
});
