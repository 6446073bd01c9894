/**
 * Keeps a value fresh by asking again: soon while something is under way (a setting the device has
 * not reported, a command not finished), rarely otherwise. The browser has no MQTT rights on
 * shadows or jobs (least privilege), so the panels read the API.
 */
import { useCallback, useEffect, useRef, useState } from 'react';

export const pollMs = { busy: 1_500, idle: 10_000 } as const;

export function usePolled<T>(load: () => Promise<T>, isBusy: (value: T) => boolean) {
  const [value, setValue] = useState<T>();
  const [error, setError] = useState<unknown>();
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const generation = useRef(0);

  const refresh = useCallback(async () => {
    const mine = ++generation.current;
    clearTimeout(timer.current);
    let next: T | undefined;
    try {
      next = await load();
      if (mine !== generation.current) return;
      setValue(next);
      setError(undefined);
    } catch (err) {
      if (mine !== generation.current) return;
      setError(err);
    }
    timer.current = setTimeout(() => void refresh(), next !== undefined && isBusy(next) ? pollMs.busy : pollMs.idle);
  }, [load, isBusy]);

  useEffect(() => {
    void refresh();
    return () => {
      generation.current++;
      clearTimeout(timer.current);
    };
  }, [refresh]);

  return { value, error, refresh };
}
