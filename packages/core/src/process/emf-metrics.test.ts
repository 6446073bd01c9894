import { describe, expect, it } from 'vitest';
import { createMetrics } from './emf-metrics.ts';

describe('EMF metrics', () => {
  const setup = () => {
    const lines: string[] = [];
    const metrics = createMetrics({
      namespace: 'Fleet',
      service: 'data',
      flushIntervalMs: 0,
      write: (l) => lines.push(l),
      now: () => 1_700_000_000_000,
    });
    return { lines, metrics };
  };

  it('aggregates counters over an interval into one line with the Service dimension only', () => {
    const { lines, metrics } = setup();
    metrics.count('ReadingsStored', 3);
    metrics.count('ReadingsStored', 4);
    metrics.count('ReadingsRejected');
    metrics.flush();
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toEqual({
      _aws: {
        Timestamp: 1_700_000_000_000,
        CloudWatchMetrics: [
          {
            Namespace: 'Fleet',
            Dimensions: [['Service']],
            Metrics: [
              { Name: 'ReadingsStored', Unit: 'Count' },
              { Name: 'ReadingsRejected', Unit: 'Count' },
            ],
          },
        ],
      },
      Service: 'data',
      ReadingsStored: 7,
      ReadingsRejected: 1,
    });
  });

  it('sends distributions as value arrays of at most 100 samples and resets each interval', () => {
    const { lines, metrics } = setup();
    for (let i = 0; i < 1000; i++) metrics.observe('QueueLagMs', i, 'Milliseconds');
    metrics.count('ReadingsStored', 1);
    metrics.flush();
    metrics.flush();
    const first = JSON.parse(lines[0]!);
    expect(first.QueueLagMs).toHaveLength(100);
    expect(first._aws.CloudWatchMetrics[0].Metrics).toContainEqual({ Name: 'QueueLagMs', Unit: 'Milliseconds' });
    const second = JSON.parse(lines[1]!);
    expect(second.ReadingsStored).toBe(0);
    expect(second.QueueLagMs).toBeUndefined();
  });

  it('writes nothing before any metric was recorded', () => {
    const { lines, metrics } = setup();
    metrics.flush();
    metrics.stop();
    expect(lines).toEqual([]);
  });
});
