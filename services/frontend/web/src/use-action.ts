/**
 * A button's action: clears the last error, runs the action, then `after` (usually the panel's
 * refresh); a failure of either is kept for the panel's error notice instead of being lost.
 */
import { useState } from 'react';

export function useAction(after: () => unknown) {
  const [error, setError] = useState<unknown>();
  const act = (action: () => Promise<unknown>) => async () => {
    setError(undefined);
    try {
      await action();
      await after();
    } catch (err) {
      setError(err);
    }
  };
  return { act, error };
}
