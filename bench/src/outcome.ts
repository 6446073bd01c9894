/**
 * A measurement's outcome: its figures, why it has none, or that it was not asked for. A phase that
 * measures two figures on one platform settles each on its own, so one failing leaves the other.
 */

/** A measured peer, or why it has no figure. */
export type Outcome<T> =
  | { readonly ok: true; readonly result: T }
  /** `error` is one line for the table; `detail` the full message (and output) for the JSON. */
  | { readonly ok: false; readonly error: string; readonly detail?: string }
  | { readonly ok: 'skipped' };

/** The failed outcome of an error: its first line for the table, the message and its cause for the JSON. */
export function failedOutcome(err: unknown): Outcome<never> {
  if (!(err instanceof Error)) return { ok: false, error: String(err) };
  const cause = err.cause instanceof Error ? `\n${err.cause.message}` : '';
  return { ok: false, error: err.message.split('\n')[0] ?? String(err), detail: `${err.message}${cause}` };
}

/** Runs `run` when `enabled`; never throws. */
export async function settle<T>(enabled: boolean, run: () => Promise<T>, onError?: (err: unknown) => void): Promise<Outcome<T>> {
  if (!enabled) return { ok: 'skipped' };
  try {
    return { ok: true, result: await run() };
  } catch (err) {
    onError?.(err);
    return failedOutcome(err);
  }
}
