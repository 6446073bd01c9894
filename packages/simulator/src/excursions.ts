/**
 * Values that leave their normal range on purpose, so alarms can be seen firing and clearing: an
 * **excursion** holds one metric at a value for a while (`--excursion temperature=95@20+60`: from
 * 20 s after the start, for 60 s), and **held** values are set and released by code (end-to-end
 * tests drive a device across a threshold and back). Other metrics keep their realistic signal.
 */
import type { DeviceSignals, SimulatedValues } from './signals.ts';

export interface Excursion {
  readonly metric: string;
  readonly value: number;
  /** Seconds after the start of the run. */
  readonly afterSeconds: number;
  /** How long the value is held; Infinity: until the run ends. */
  readonly forSeconds: number;
}

const excursionSyntax = /^([A-Za-z][A-Za-z0-9_]{0,63})=(-?\d+(?:\.\d+)?)(?:@(\d+(?:\.\d+)?))?(?:\+(\d+(?:\.\d+)?))?$/;

/**
 * Reads `<metric>=<value>[@<afterSeconds>][+<forSeconds>]`.
 * @throws Error naming the expected form when `text` does not follow it.
 */
export function parseExcursion(text: string): Excursion {
  const match = excursionSyntax.exec(text.trim());
  if (!match)
    throw new Error(
      `--excursion ${JSON.stringify(text)}: expected <metric>=<value>[@<after seconds>][+<for seconds>], e.g. temperature=95@20+60`,
    );
  const [, metric, value, after, length] = match;
  return {
    metric: metric!,
    value: Number(value),
    afterSeconds: after === undefined ? 0 : Number(after),
    forSeconds: length === undefined ? Infinity : Number(length),
  };
}

/** The signals with each excursion applied while device time is inside its window (relative to `startedAt`, epoch ms). */
export function withExcursions(signals: DeviceSignals, excursions: readonly Excursion[], startedAt: number): DeviceSignals {
  if (excursions.length === 0) return signals;
  return {
    next(ts) {
      const values: Record<string, number> = { ...signals.next(ts) };
      const elapsed = (ts - startedAt) / 1000;
      for (const e of excursions) if (elapsed >= e.afterSeconds && elapsed < e.afterSeconds + e.forSeconds) values[e.metric] = e.value;
      return values as SimulatedValues;
    },
  };
}

export interface HeldSignals extends DeviceSignals {
  /** From the next reading on, `metric` reads `value`. */
  hold(metric: string, value: number): void;
  /** `metric` follows its signal again. */
  release(metric: string): void;
}

export function holdableSignals(signals: DeviceSignals): HeldSignals {
  const held = new Map<string, number>();
  return {
    next(ts) {
      const values = signals.next(ts);
      return held.size === 0 ? values : { ...values, ...Object.fromEntries(held) };
    },
    hold: (metric, value) => void held.set(metric, value),
    release: (metric) => void held.delete(metric),
  };
}
