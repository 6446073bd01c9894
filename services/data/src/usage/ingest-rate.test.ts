import { dataServiceMetrics } from '@fleet/core';
import { describe, expect, it } from 'vitest';
import type { Metrics } from '../emf.ts';
import { countingStoredReadings, createIngestRate } from './ingest-rate.ts';

describe('createIngestRate', () => {
  it('answers readings per second since the start, then over the last five minutes only', () => {
    let now = 1_000_000;
    const rate = createIngestRate({ now: () => now });
    rate.record(300);
    now += 30_000;
    rate.record(300);
    expect(rate.perSecond()).toBeCloseTo(600 / 30);
    // Ten minutes later the first 600 readings have left the window; 150 arrive now.
    now += 600_000;
    rate.record(150);
    expect(rate.perSecond()).toBeCloseTo(150 / 300);
  });

  it('is zero before anything was stored', () => {
    expect(createIngestRate().perSecond()).toBe(0);
  });
});

describe('countingStoredReadings', () => {
  it('counts the stored readings into the rate and still forwards every metric', () => {
    const counted: [string, number][] = [];
    const metrics: Metrics = { count: (name, n = 1) => counted.push([name, n]), observe: () => {}, flush: () => {}, stop: () => {} };
    let now = 0;
    const rate = createIngestRate({ now: () => now });
    const tapped = countingStoredReadings(metrics, rate);
    tapped.count(dataServiceMetrics.readingsStored, 40);
    tapped.count('DuplicateReadings', 7);
    now = 10_000;
    expect(rate.perSecond()).toBeCloseTo(4);
    expect(counted).toEqual([
      [dataServiceMetrics.readingsStored, 40],
      ['DuplicateReadings', 7],
    ]);
  });
});
