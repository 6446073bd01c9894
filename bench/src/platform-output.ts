/**
 * What the benchmark reads from the launcher's captured output (startPlatformProcess().output()).
 */

/**
 * The line of a failed start worth showing: the first one naming an error (the launcher's output
 * opens with the AWS SDK's Node version notice), else the last non-empty line.
 */
export function firstErrorLine(output: string): string {
  const lines = output
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  return (
    lines.find((l) => /\b\w*(Error|Exception)\b|\berror\b/.test(l) && !/NodeVersionSupportWarning/.test(l)) ?? lines.at(-1) ?? '(no output)'
  );
}

/** Drops reported between two readings of the running count. */
export const dropsDuring = (before: number | undefined, after: number | undefined) =>
  after === undefined ? undefined : after - (before ?? 0);

/**
 * The local rules engine warns "rules engine saturated; message dropped" with a running `dropped`
 * count when it sheds load (packages/local-cloud/src/rules-engine/rules-engine.ts); the highest
 * count in the launcher's output is how many telemetry messages never reached the queue.
 */
export function rulesEngineDrops(output: string): number | undefined {
  let max: number | undefined;
  for (const match of output.matchAll(/"dropped":(\d+)[^\n]*rules engine saturated/g)) {
    const n = Number(match[1]);
    if (max === undefined || n > max) max = n;
  }
  return max;
}
