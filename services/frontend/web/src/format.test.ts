import { describe, expect, it } from 'vitest';
import { formatValue, metricLabel } from './format.ts';

describe('values formatted per metric', () => {
  it('shows at most two decimals by default, trailing zeros dropped', () => {
    expect(formatValue(21.12245369171366, undefined, 'en-US')).toBe('21.12');
    expect(formatValue(21.5, undefined, 'en-US')).toBe('21.5');
    expect(formatValue(40, undefined, 'en-US')).toBe('40');
    expect(formatValue(0.004, undefined, 'en-US')).toBe('0');
  });

  it('shows exactly the decimals a setting asks for, and its unit after a no-break space', () => {
    expect(formatValue(21.12245369171366, { decimals: 1, unit: '°C' }, 'en-US')).toBe('21.1\u00a0°C');
    expect(formatValue(21, { decimals: 3 }, 'en-US')).toBe('21.000');
    expect(formatValue(40.6, { decimals: 0, unit: '%' }, 'en-US')).toBe('41\u00a0%');
    expect(formatValue(1013.25, { unit: 'hPa' }, 'en-US')).toBe('1,013.25\u00a0hPa');
  });

  it("groups and marks the decimal in the reader's locale", () => {
    expect(formatValue(1234.5, { decimals: 2 }, 'de-DE')).toBe('1.234,50');
  });

  it('drops the sign of a value that rounds to zero', () => {
    expect(formatValue(-0.001, undefined, 'en-US')).toBe('0');
    expect(formatValue(-0.001, { decimals: 2 }, 'en-US')).toBe('0.00');
    expect(formatValue(-2.5, undefined, 'en-US')).toBe('-2.5');
  });

  it('names a metric by its label when one is set', () => {
    expect(metricLabel('temperature', { label: 'Air temperature' })).toBe('Air temperature');
    expect(metricLabel('temperature')).toBe('temperature');
  });
});
