/**
 * Keeps a value fresh by asking again: soon while something is under way (a setting the device has
 * not reported, a command not finished), rarely otherwise. The browser has no MQTT rights on
 * shadows or jobs (least privilege), so the panels read the API.
 */
import { useCallback, useEffect, useRef, useState } from 'react';

export const pollMs = { busy: 1_500, idle: 10_000 } as const;

const neverBusy = () => false;

/**
 * Loads now and again after each answer. `load` must keep its identity between renders (useCallback):
 * a new one starts over. `isBusy` may be a new function each render: the latest one is read when the
 * next delay is chosen, so passing an inline arrow does not restart (and re-fetch) on every render.
 * `idleMs`: the delay when not busy (a landing page may lag longer than a panel under way).
 */
export function usePolled<T>(load: () => Promise<T>, isBusy: (value: T) => boolean = neverBusy, idleMs: number = pollMs.idle) {
  const [value, setValue] = useState<T>();
  const [error, setError] = useState<unknown>();
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const generation = useRef(0);
  const busy = useRef(isBusy);
  busy.current = isBusy;

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
    timer.current = setTimeout(() => void refresh(), next !== undefined && busy.current(next) ? pollMs.busy : idleMs);
  }, [load, idleMs]);

  useEffect(() => {
    void refresh();
    return () => {
      generation.current++;
      clearTimeout(timer.current);
    };
  }, [refresh]);

  return { value, error, refresh };
}
