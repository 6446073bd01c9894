import { describe, expect, it } from 'vitest';
import { createDeviceSignals, createRandom } from './signals.ts';

describe('device signals', () => {
  it('repeats the same values for the same seed', () => {
    const a = createDeviceSignals(7);
    const b = createDeviceSignals(7);
    for (let i = 0; i < 50; i++) expect(a.next(i * 1000)).toEqual(b.next(i * 1000));
  });

  it('keeps humidity within 5..95 and battery within 0..100 over a long run', () => {
    const signals = createDeviceSignals(3);
    for (let i = 0; i < 20_000; i++) {
      const v = signals.next(i * 1000);
      expect(v.humidity).toBeGreaterThanOrEqual(5);
      expect(v.humidity).toBeLessThanOrEqual(95);
      expect(v.battery).toBeGreaterThan(0);
      expect(v.battery).toBeLessThanOrEqual(100);
    }
  });

  it('follows a sine: temperature half a period apart differs by about twice the amplitude', () => {
    const signals = createDeviceSignals(11, { periodMs: 1000 });
    const samples = Array.from({ length: 1000 }, (_, i) => signals.next(i).temperature);
    const spread = Math.max(...samples) - Math.min(...samples);
    expect(spread).toBeGreaterThan(7);
    expect(spread).toBeLessThan(12);
  });

  it('draws uniform numbers in [0, 1)', () => {
    const random = createRandom(1);
    const draws = Array.from({ length: 10_000 }, random);
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
    const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
  });
});
