/** The soak's fixed rate: `--rate` when given, else half the end-to-end maximum this run measured, else 100 readings/s. */
export const fallbackSoakRate = 100;
/** The rate's source when it is the fallback: no maximum to take half of. */
export const fallbackSoakRateSource = 'default (no end-to-end rate measured in this run)';
/** The rate's source when the user gave it. */
export const givenSoakRateSource = '--rate';

export function soakRate(
  given: number | undefined,
  measuredStoredPerSecond: number | undefined,
): { ratePerSecond: number; rateSource: string } {
  if (given !== undefined) return { ratePerSecond: given, rateSource: givenSoakRateSource };
  if (measuredStoredPerSecond !== undefined && measuredStoredPerSecond > 0) {
    return {
      ratePerSecond: Math.max(1, Math.round(measuredStoredPerSecond / 2)),
      rateSource: `half the end-to-end rate measured in this run (${Math.round(measuredStoredPerSecond)}/s)`,
    };
  }
  return { ratePerSecond: fallbackSoakRate, rateSource: fallbackSoakRateSource };
}
