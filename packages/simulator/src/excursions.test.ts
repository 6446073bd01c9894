import { describe, expect, it } from 'vitest';
import { holdableSignals, parseExcursion, withExcursions } from './excursions.ts';
import { createDeviceSignals } from './signals.ts';

describe('excursions', () => {
  it('reads metric, value, start and length, with defaults', () => {
    expect(parseExcursion('temperature=95@20+60')).toEqual({ metric: 'temperature', value: 95, afterSeconds: 20, forSeconds: 60 });
    expect(parseExcursion('battery=-1.5')).toEqual({ metric: 'battery', value: -1.5, afterSeconds: 0, forSeconds: Infinity });
    expect(parseExcursion('humidity=99+5')).toEqual({ metric: 'humidity', value: 99, afterSeconds: 0, forSeconds: 5 });
  });

  it('refuses what it cannot read, naming the form', () => {
    for (const bad of ['temperature', '=5', 'temperature=hot', 'temperature=5@-1', '9x=1'])
      expect(() => parseExcursion(bad), bad).toThrow(/expected <metric>=<value>/);
  });

  it('holds the metric only inside its window; the other metrics keep their signal', () => {
    const start = 1_000_000;
    const plain = createDeviceSignals(5);
    const shifted = withExcursions(createDeviceSignals(5), [parseExcursion('temperature=95@10+5')], start);
    const at = (s: number) => start + s * 1000;
    for (const s of [0, 9.9, 10, 12, 14.9, 15, 30]) {
      const expected = plain.next(at(s));
      const got = shifted.next(at(s));
      expect(got.temperature, `at ${s} s`).toBe(s >= 10 && s < 15 ? 95 : expected.temperature);
      expect(got.humidity).toBe(expected.humidity);
    }
  });

  it('holds and releases a value from code', () => {
    const plain = createDeviceSignals(8);
    const signals = holdableSignals(createDeviceSignals(8));
    expect(signals.next(1).temperature).toBe(plain.next(1).temperature);
    signals.hold('temperature', 90);
    expect(signals.next(2)).toMatchObject({ temperature: 90, humidity: plain.next(2).humidity });
    signals.release('temperature');
    expect(signals.next(3).temperature).toBe(plain.next(3).temperature);
  });
});
