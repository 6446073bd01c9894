/**
 * Reproducible randomness for the fault-injection suite: every random point (when to kill, which
 * process, which device sends the poison) comes from one seeded generator, the seed is printed,
 * and `FLEET_FAULT_SEED=<seed>` replays a failing run exactly (up to the machine's timing).
 */

export interface SeededRandom {
  readonly seed: number;
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max]. */
  between(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  /** A shuffled copy (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[];
}

/** mulberry32: tiny, fast and good enough to spread kill points; not for cryptography. */
export function seededRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return {
    seed,
    next,
    between: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick<T>(items: readonly T[]): T {
      if (items.length === 0) throw new Error('pick from an empty list');
      return items[Math.floor(next() * items.length)] as T;
    },
    shuffle<T>(items: readonly T[]): T[] {
      const copy = [...items];
      for (let i = copy.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
      }
      return copy;
    },
  };
}

/**
 * The run's generator: `given` (`FLEET_FAULT_SEED`, a decimal integer) when set, else a fresh seed.
 * The seed is printed with the scenario name so a failure report carries what replays it.
 */
export function faultSeed(scenario: string, given: string | undefined): SeededRandom {
  if (given !== undefined && !/^\d{1,10}$/.test(given)) {
    throw new Error(`FLEET_FAULT_SEED must be a decimal integer (as printed by a previous run), received ${JSON.stringify(given)}`);
  }
  const seed = given !== undefined ? Number(given) >>> 0 : Math.floor(Math.random() * 2 ** 32);
  console.log(`[fault] ${scenario}: FLEET_FAULT_SEED=${seed}`);
  return seededRandom(seed);
}
