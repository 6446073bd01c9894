import { describe, expect, it } from 'vitest';
import { shownNumber } from './format.ts';

describe('shownNumber', () => {
  it('rounds a reading to two decimals in the reader’s locale, never printing every digit of a double', () => {
    const locale = new Intl.NumberFormat().resolvedOptions().locale;
    expect(shownNumber(21.12245369171366)).toBe((21.12).toLocaleString(locale));
    expect(shownNumber(21.5)).toBe((21.5).toLocaleString(locale));
    expect(shownNumber(1234567.891)).toBe((1234567.89).toLocaleString(locale));
  });
});
