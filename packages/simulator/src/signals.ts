/**
 * Realistic device signals: a daily-ish sine with noise (temperature), a bounded random walk
 * (humidity), a slow drain with recharge (battery). Deterministic for a given seed, so tests and
 * benchmarks can repeat a run.
 */

/** Mulberry32: a tiny seeded PRNG; Math.random cannot be seeded. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SimulatedValues {
  readonly [metric: string]: number;
  readonly temperature: number;
  readonly humidity: number;
  readonly battery: number;
}

export interface DeviceSignals {
  /** Values at device time `ts` (epoch ms). */
  next(ts: number): SimulatedValues;
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

export function createDeviceSignals(seed: number, options: { periodMs?: number } = {}): DeviceSignals {
  const random = createRandom(seed);
  const periodMs = options.periodMs ?? 10 * 60 * 1000;
  const phase = random() * 2 * Math.PI;
  const baseTemperature = 18 + random() * 8;
  let humidity = 35 + random() * 30;
  let battery = 60 + random() * 40;
  const gaussian = () => {
    // Box-Muller: noise that looks like a sensor's, not uniform.
    const u = Math.max(random(), Number.EPSILON);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
  return {
    next(ts) {
      const temperature = baseTemperature + 4 * Math.sin((2 * Math.PI * ts) / periodMs + phase) + 0.3 * gaussian();
      humidity = Math.min(95, Math.max(5, humidity + gaussian() * 0.8));
      battery = battery <= 5 ? 100 : battery - 0.01 - random() * 0.02;
      return { temperature: round(temperature), humidity: round(humidity), battery: round(battery, 1) };
    },
  };
}
