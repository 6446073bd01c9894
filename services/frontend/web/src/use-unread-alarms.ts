/**
 * The signed-in user's unread alarm events (the feed's `unread`), polled with the app's polling
 * hook; 0 while unknown, for users who may not read alarms, or when the feed cannot be read.
 */
import { useCallback } from 'react';
import type { Api } from './api.ts';
import { usePolled } from './polling.ts';

export function useUnreadAlarms(api: Api, enabled: boolean): number {
  const load = useCallback(async () => (enabled ? (await api.alarmEvents({ limit: '1' })).unread : 0), [api, enabled]);
  return usePolled(load).value ?? 0;
}
