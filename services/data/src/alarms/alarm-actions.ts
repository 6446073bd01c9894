/**
 * What a user does to an alarm, as pure transitions: acknowledge (ACTIVE → ACKNOWLEDGED) and clear
 * (ACTIVE or ACKNOWLEDGED → CLEARED). The action names the occurrence the user saw, so a newer
 * occurrence is never acted on by mistake; anything else is a conflict the route answers with 409.
 */
import type { Alarm, AlarmEvent } from '@fleet/core';
import { eventOf, isOpen, type DeviceAlarmState } from './evaluate.ts';

export type UserAction = 'acknowledge' | 'clear';

export type ActionOutcome =
  | { readonly ok: true; readonly state: DeviceAlarmState; readonly event: AlarmEvent }
  | { readonly ok: false; readonly code: 'AlarmNotFound' | 'AlarmStateConflict'; readonly message: string };

/** Applies a user's action to the state of one device's alarm. */
export function applyUserAction(
  state: DeviceAlarmState | undefined,
  action: UserAction,
  input: { readonly occurrence: number; readonly by: string; readonly at: string },
): ActionOutcome {
  const alarm = state?.alarm;
  if (!state || !alarm) return { ok: false, code: 'AlarmNotFound', message: 'This device has no alarm of this definition' };
  if (alarm.occurrence !== input.occurrence) {
    return {
      ok: false,
      code: 'AlarmStateConflict',
      message: `Occurrence ${input.occurrence} was named, the alarm is at occurrence ${alarm.occurrence} (${alarm.status})`,
    };
  }
  let next: Alarm;
  if (action === 'acknowledge') {
    if (alarm.status !== 'ACTIVE') {
      return { ok: false, code: 'AlarmStateConflict', message: `Only an ACTIVE alarm can be acknowledged; this one is ${alarm.status}` };
    }
    next = { ...alarm, status: 'ACKNOWLEDGED', acknowledgedAt: input.at, acknowledgedBy: input.by };
  } else {
    if (!isOpen(alarm)) return { ok: false, code: 'AlarmStateConflict', message: 'This alarm is already CLEARED' };
    next = { ...alarm, status: 'CLEARED', clearedAt: input.at, clearedBy: input.by };
  }
  return { ok: true, state: { ...state, alarm: next }, event: eventOf(next, next.status, input.at, input.by) };
}
