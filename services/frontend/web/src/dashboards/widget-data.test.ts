import { describe, expect, it } from 'vitest';
import { alignSeries, formatReading } from './widget-data.ts';

describe('dashboard widget data', () => {
  it('puts series on one time axis, a gap (null) where a series has no interval', () => {
    const aligned = alignSeries([
      {
        label: 'a t',
        points: [
          { t: 10, avg: 1 },
          { t: 30, avg: 3 },
        ],
      },
      {
        label: 'b t',
        points: [
          { t: 20, avg: 2 },
          { t: 30, avg: 4 },
        ],
      },
    ]);
    expect(aligned).toEqual({
      times: [10, 20, 30],
      values: [
        [1, null, 3],
        [null, 2, 4],
      ],
    });
  });

  it('formats readings with the widget’s decimals and grouped thousands, a dash for none', () => {
    expect(formatReading(21.12245369171366)).toBe('21.1');
    expect(formatReading(21.456, 2)).toBe('21.46');
    expect(formatReading(12345.6, 0)).toBe('12,346');
    expect(formatReading(undefined)).toBe('—');
  });
});
