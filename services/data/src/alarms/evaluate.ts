/**
 * The alarm evaluator: pure, no I/O. Given a definition, one device's alarm state and a batch of
 * that device's new readings (sorted by (ts, seq)), it answers the new state and the events of the
 * transitions. Everything it needs from the past is in the state, so feeding readings in one batch
 * or in any chunks gives the same transitions, and a reading at or before the state's last
 * (ts, seq) is skipped: a redelivered queue message never counts twice.
 *
 * A new occurrence starts on an edge: when the condition (with its duration) starts holding while
 * no alarm of the device is open. A user who clears an alarm whose condition still holds is not
 * paged again until the condition stopped holding once (ThingsBoard's "clear" would re-raise at
 * the next reading, which users read as the clear not working).
 */
import type { Alarm, AlarmCondition, AlarmDefinition, AlarmEvent, AlarmEventType, Reading } from '@fleet/core';

/** What the evaluator remembers of one device for one definition. */
export interface EvaluationState {
  /** The definition version this was computed for: a changed definition starts afresh. */
  readonly definitionVersion: number;
  /** (ts, seq) of the newest reading evaluated. */
  readonly last?: { readonly ts: number; readonly seq: number };
  /** Whether the condition held (for its duration) after the last reading evaluated. */
  readonly holding: boolean;
  /** `forSeconds`: ts of the first breaching reading of the current run of breaches. */
  readonly breachSince?: number;
  /** `readings`: the last N breach flags, oldest first. */
  readonly window?: readonly boolean[];
  /** `noData`: the reading the last silence was measured from (one silence is one occurrence at most). */
  readonly silentAfter?: { readonly ts: number; readonly seq: number };
  /** `rateOfChange`: the previous reading's value of the metric. */
  readonly previous?: { readonly ts: number; readonly value: number };
}

/** One device's alarm of one definition: the evaluation and its current (or last) occurrence. */
export interface DeviceAlarmState {
  readonly evaluation: EvaluationState;
  readonly alarm?: Alarm;
}

export interface EvaluationResult {
  readonly state: DeviceAlarmState;
  /** The events of the transitions, oldest first (each a new state of the alarm). */
  readonly events: readonly AlarmEvent[];
}

/** `auto`: the condition (or the silence) changed the alarm, no user. */
export const autoActor = 'auto';

export const isOpen = (alarm: Alarm | undefined): alarm is Alarm => alarm !== undefined && alarm.status !== 'CLEARED';

/** `<definitionId>/<deviceId>/<occurrence>/<type>`: deterministic, so a retried write finds its own event. */
export const eventIdOf = (alarm: Pick<Alarm, 'definitionId' | 'deviceId' | 'occurrence'>, type: AlarmEventType) =>
  `${alarm.definitionId}/${alarm.deviceId}/${alarm.occurrence}/${type}`;

export const eventOf = (alarm: Alarm, type: AlarmEventType, at: string, by: string): AlarmEvent => ({
  eventId: eventIdOf(alarm, type),
  type,
  at,
  by,
  alarm,
});

/** A fresh state for a definition (nothing evaluated yet). */
export const initialEvaluation = (definition: Pick<AlarmDefinition, 'version'>): EvaluationState => ({
  definitionVersion: definition.version,
  holding: false,
});

/** The state as this definition's version sees it: the evaluation restarts when the definition changed; the alarm stays. */
export function stateFor(definition: AlarmDefinition, state: DeviceAlarmState | undefined): DeviceAlarmState {
  if (!state) return { evaluation: initialEvaluation(definition) };
  if (state.evaluation.definitionVersion === definition.version) return state;
  const { last } = state.evaluation;
  // Keep `last`: readings already evaluated must not be evaluated again under the new rules either.
  return { ...state, evaluation: { ...initialEvaluation(definition), ...(last ? { last } : {}) } };
}

const after = (r: Pick<Reading, 'ts' | 'seq'>, last: EvaluationState['last']) =>
  last === undefined || r.ts > last.ts || (r.ts === last.ts && r.seq > last.seq);

const format = (n: number) => String(Math.round(n * 1000) / 1000);

/** Whether one reading breaches, and why; `undefined` when the reading says nothing about it. */
function breachOf(
  condition: Exclude<AlarmCondition, { kind: 'noData' }>,
  value: number,
  ts: number,
  previous: EvaluationState['previous'],
): { breach: boolean; reason: string } | undefined {
  const m = condition.metric;
  switch (condition.kind) {
    case 'above':
      return { breach: value > condition.threshold, reason: `${m} ${format(value)} > ${format(condition.threshold)}` };
    case 'below':
      return { breach: value < condition.threshold, reason: `${m} ${format(value)} < ${format(condition.threshold)}` };
    case 'outside':
      return {
        breach: value < condition.low || value > condition.high,
        reason: `${m} ${format(value)} outside [${format(condition.low)}, ${format(condition.high)}]`,
      };
    case 'rateOfChange': {
      // Two readings with the same device time say nothing about a rate.
      if (!previous || ts <= previous.ts) return undefined;
      const perMinute = Math.abs(value - previous.value) / ((ts - previous.ts) / 60_000);
      return {
        breach: perMinute > condition.maxChangePerMinute,
        reason: `${m} changed ${format(perMinute)}/min > ${format(condition.maxChangePerMinute)}/min`,
      };
    }
  }
}

function durationText(definition: AlarmDefinition): string {
  const d = definition.duration;
  if (d.kind === 'forSeconds') return ` for ${d.seconds} s`;
  if (d.kind === 'readings') return ` in ${d.breaching} of the last ${d.of} readings`;
  return '';
}

/** Opens a new occurrence (ACTIVE) from the definition. */
function activate(
  definition: AlarmDefinition,
  deviceId: string,
  previous: Alarm | undefined,
  at: string,
  reason: string,
  value?: number,
): Alarm {
  return {
    definitionId: definition.id,
    deviceId,
    occurrence: (previous?.occurrence ?? 0) + 1,
    name: definition.name,
    severity: definition.severity,
    status: 'ACTIVE',
    reason: reason.slice(0, 1024),
    ...(value === undefined ? {} : { value }),
    activeAt: at,
  };
}

function cleared(alarm: Alarm, at: string, by: string): Alarm {
  return { ...alarm, status: 'CLEARED', clearedAt: at, clearedBy: by };
}

/**
 * Applies the holding flag of one step: opens an occurrence on a rising edge with no open alarm,
 * clears an open one when the condition stopped holding and the definition clears by itself.
 */
function step(
  definition: AlarmDefinition,
  deviceId: string,
  state: DeviceAlarmState,
  evaluation: EvaluationState,
  at: string,
  reason: string,
  value: number | undefined,
  events: AlarmEvent[],
): DeviceAlarmState {
  let alarm = state.alarm;
  if (evaluation.holding && !state.evaluation.holding && !isOpen(alarm)) {
    alarm = activate(definition, deviceId, alarm, at, reason, value);
    events.push(eventOf(alarm, 'ACTIVE', at, autoActor));
  } else if (!evaluation.holding && isOpen(alarm) && definition.autoClear) {
    alarm = cleared(alarm, at, autoActor);
    events.push(eventOf(alarm, 'CLEARED', at, autoActor));
  }
  return { evaluation, ...(alarm ? { alarm } : {}) };
}

/**
 * Evaluates a batch of one device's readings (sorted by (ts, seq)) against an enabled definition.
 * A disabled definition evaluates nothing (the state is answered as it was).
 */
export function evaluateReadings(
  definition: AlarmDefinition,
  deviceId: string,
  previousState: DeviceAlarmState | undefined,
  readings: readonly Reading[],
): EvaluationResult {
  let state = stateFor(definition, previousState);
  const events: AlarmEvent[] = [];
  if (!definition.enabled) return { state, events };
  const condition = definition.condition;
  for (const reading of readings) {
    if (!after(reading, state.evaluation.last)) continue;
    const at = new Date(reading.ts).toISOString();
    const last = { ts: reading.ts, seq: reading.seq };
    if (condition.kind === 'noData') {
      // A reading newer than the one the silence was measured from ends it; the sweep
      // (evaluateSilence) starts one. Outside a silence a reading changes nothing, so ingest writes nothing.
      if (state.evaluation.holding) {
        state = step(definition, deviceId, state, { ...state.evaluation, last, holding: false }, at, '', undefined, events);
      }
      continue;
    }
    const value = reading.values[condition.metric];
    if (value === undefined) {
      state = { ...state, evaluation: { ...state.evaluation, last } };
      continue;
    }
    const previous = { ts: reading.ts, value };
    const judged = breachOf(condition, value, reading.ts, state.evaluation.previous);
    if (!judged) {
      state = { ...state, evaluation: { ...state.evaluation, last, previous } };
      continue;
    }
    const evaluation = nextEvaluation(definition, state.evaluation, judged.breach, reading.ts);
    const reason = `${judged.reason}${durationText(definition)}`;
    state = step(
      definition,
      deviceId,
      state,
      { ...evaluation, last, ...(condition.kind === 'rateOfChange' ? { previous } : {}) },
      at,
      reason,
      value,
      events,
    );
  }
  return { state, events };
}

/** The duration bookkeeping after one judged reading. */
function nextEvaluation(definition: AlarmDefinition, evaluation: EvaluationState, breach: boolean, ts: number): EvaluationState {
  const d = definition.duration;
  if (d.kind === 'immediate') return { ...evaluation, holding: breach };
  if (d.kind === 'forSeconds') {
    if (!breach) {
      const { breachSince: _dropped, ...rest } = evaluation;
      return { ...rest, holding: false };
    }
    const since = evaluation.breachSince ?? ts;
    return { ...evaluation, breachSince: since, holding: ts - since >= d.seconds * 1000 };
  }
  const window = [...(evaluation.window ?? []), breach].slice(-d.of);
  return { ...evaluation, window, holding: window.filter(Boolean).length >= d.breaching };
}

/**
 * The silent-device check of a `noData` definition: the device's last reading (its (ts, seq) in the
 * device state table); at `now` the device is silent when that is `silentMinutes` ago or more. The
 * event's time is when the silence began to count (`lastReadingAt + silentMinutes`), so two sweeps
 * (two tasks) compute the same event.
 */
export function evaluateSilence(
  definition: AlarmDefinition,
  deviceId: string,
  previousState: DeviceAlarmState | undefined,
  lastReading: { readonly ts: number; readonly seq: number },
  now: number,
): EvaluationResult {
  const state = stateFor(definition, previousState);
  const condition = definition.condition;
  if (!definition.enabled || condition.kind !== 'noData') return { state, events: [] };
  const silentSince = lastReading.ts + condition.silentMinutes * 60_000;
  if (now < silentSince || state.evaluation.holding) return { state, events: [] };
  // This silence was already measured (and ended by a newer reading, or cleared by a user).
  // Measured already (one silence is one occurrence at most), or a stale view: a newer reading was evaluated.
  const { last, silentAfter } = state.evaluation;
  const stale = last !== undefined && after(last, lastReading);
  if (!after(lastReading, silentAfter) || stale) return { state, events: [] };
  const events: AlarmEvent[] = [];
  const at = new Date(silentSince).toISOString();
  const reason = `no reading for ${condition.silentMinutes} min`;
  // `last` is the reading the silence is measured from: only a newer one ends it.
  const from = { ts: lastReading.ts, seq: lastReading.seq };
  const evaluation = { ...state.evaluation, holding: true, last: from, silentAfter: from };
  return { state: step(definition, deviceId, state, evaluation, at, reason, undefined, events), events };
}
