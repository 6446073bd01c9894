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

/** "12 s ago", "5 min ago", "3 h ago", or the date for older times. */
export function timeAgo(iso: string, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return new Date(iso).toLocaleString();
}

/** A setting's value as a person reads it: text as is, anything else as JSON. */
export function shownValue(value: unknown): string {
  if (value === undefined) return '—';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** What a person typed as a value: JSON when it parses (numbers, true, objects), text otherwise. */
export function typedValue(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
