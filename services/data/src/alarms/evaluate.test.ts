import type { AlarmCondition, AlarmDefinition, AlarmDuration, AlarmEvent, Reading } from '@fleet/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyUserAction } from './alarm-actions.ts';
import { evaluateReadings, evaluateSilence, type DeviceAlarmState } from './evaluate.ts';

const definition = (over: Partial<AlarmDefinition> = {}): AlarmDefinition => ({
  id: 'hot',
  name: 'Too hot',
  scope: { kind: 'fleet' },
  condition: { kind: 'above', metric: 't', threshold: 80 },
  duration: { kind: 'immediate' },
  severity: 'major',
  enabled: true,
  autoClear: true,
  createdBy: 'alice',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  version: 1,
  ...over,
});

const reading = (ts: number, t: number, seq = ts): Reading => ({ deviceId: 'd1', ts, seq, values: { t } });
const types = (events: readonly AlarmEvent[]) => events.map((e) => `${e.alarm.occurrence}:${e.type}`);

/** Runs chunks one after another, carrying the state, as successive flushes do. */
function runChunks(def: AlarmDefinition, chunks: readonly (readonly Reading[])[], start?: DeviceAlarmState) {
  let state = start;
  const events: AlarmEvent[] = [];
  for (const chunk of chunks) {
    const result = evaluateReadings(def, 'd1', state, chunk);
    state = result.state;
    events.push(...result.events);
  }
  return { state, events };
}

describe('evaluateReadings, examples', () => {
  it('activates on a breaching reading and clears by itself when it stops', () => {
    const { events, state } = runChunks(definition(), [[reading(1000, 70), reading(2000, 85), reading(3000, 90), reading(4000, 75)]]);
    expect(types(events)).toEqual(['1:ACTIVE', '1:CLEARED']);
    expect(events[0]).toMatchObject({ eventId: 'hot/d1/1/ACTIVE', at: new Date(2000).toISOString(), by: 'auto' });
    expect(events[0]?.alarm).toMatchObject({ status: 'ACTIVE', value: 85, reason: 't 85 > 80', severity: 'major' });
    expect(state?.alarm).toMatchObject({ status: 'CLEARED', clearedBy: 'auto', occurrence: 1 });
  });

  it('starts occurrence 2 on a new breach after CLEARED', () => {
    const { events } = runChunks(definition(), [[reading(1, 90), reading(2, 70)], [reading(3, 95)]]);
    expect(types(events)).toEqual(['1:ACTIVE', '1:CLEARED', '2:ACTIVE']);
  });

  it('keeps the alarm open without autoClear', () => {
    const { events, state } = runChunks(definition({ autoClear: false }), [[reading(1, 90), reading(2, 70), reading(3, 95)]]);
    expect(types(events)).toEqual(['1:ACTIVE']);
    expect(state?.alarm?.status).toBe('ACTIVE');
  });

  it('forSeconds: ACTIVE once every reading breached for the duration, cleared by the first that does not', () => {
    const def = definition({ duration: { kind: 'forSeconds', seconds: 60 } });
    const { events } = runChunks(def, [
      [reading(0, 90), reading(30_000, 91), reading(59_999, 92)],
      [reading(60_000, 93), reading(61_000, 50)],
    ]);
    expect(types(events)).toEqual(['1:ACTIVE', '1:CLEARED']);
    expect(events[0]?.at).toBe(new Date(60_000).toISOString());
    // A non-breaching reading restarts the count.
    const broken = runChunks(def, [[reading(0, 90), reading(30_000, 50), reading(60_000, 90), reading(89_000, 90)]]);
    expect(broken.events).toEqual([]);
  });

  it('readings: M of the last N', () => {
    const def = definition({ duration: { kind: 'readings', breaching: 2, of: 3 } });
    const { events } = runChunks(def, [[reading(1, 90), reading(2, 70), reading(3, 90), reading(4, 70), reading(5, 70)]]);
    expect(types(events)).toEqual(['1:ACTIVE', '1:CLEARED']);
    expect(events.map((e) => e.at)).toEqual([new Date(3).toISOString(), new Date(4).toISOString()]);
  });

  it('rateOfChange between consecutive readings', () => {
    const def = definition({ condition: { kind: 'rateOfChange', metric: 't', maxChangePerMinute: 10 } });
    const { events } = runChunks(def, [
      [reading(0, 20), reading(60_000, 25)],
      [reading(120_000, 40), reading(180_000, 41)],
    ]);
    expect(types(events)).toEqual(['1:ACTIVE', '1:CLEARED']);
    expect(events[0]?.alarm.reason).toBe('t changed 15/min > 10/min');
  });

  it('ignores readings without the metric, and evaluates nothing for a disabled definition', () => {
    expect(runChunks(definition(), [[{ deviceId: 'd1', ts: 1, seq: 1, values: { h: 99 } }]]).events).toEqual([]);
    expect(runChunks(definition({ enabled: false }), [[reading(1, 99)]]).events).toEqual([]);
  });

  it('ignores a redelivered or late reading', () => {
    const first = runChunks(definition(), [[reading(10, 90)]]);
    const again = runChunks(definition(), [[reading(10, 70), reading(5, 70)]], first.state);
    expect(again.events).toEqual([]);
    expect(again.state?.alarm?.status).toBe('ACTIVE');
  });

  it('does not page again after a user cleared an alarm whose condition still holds, until it stopped once', () => {
    const active = runChunks(definition(), [[reading(1, 90)]]);
    const clearedByUser = applyUserAction(active.state, 'clear', { occurrence: 1, by: 'bob', at: '2026-01-01T00:00:00.000Z' });
    if (!clearedByUser.ok) throw new Error('clear refused');
    const later = runChunks(definition(), [[reading(2, 91), reading(3, 70), reading(4, 95)]], clearedByUser.state);
    expect(types(later.events)).toEqual(['2:ACTIVE']);
  });

  it('restarts the evaluation (not the alarm) when the definition changes', () => {
    const def = definition({ duration: { kind: 'readings', breaching: 2, of: 2 } });
    const half = runChunks(def, [[reading(1, 90)]]);
    const changed = runChunks({ ...def, version: 2 }, [[reading(2, 90)]], half.state);
    expect(changed.events).toEqual([]);
  });
});

describe('evaluateSilence', () => {
  const def = definition({ condition: { kind: 'noData', silentMinutes: 5 } });

  it('activates once for a silent device at the time the silence began to count, cleared by its next reading', () => {
    const quiet = evaluateSilence(def, 'd1', undefined, { ts: 1_000, seq: 1 }, 1_000 + 5 * 60_000);
    expect(types(quiet.events)).toEqual(['1:ACTIVE']);
    expect(quiet.events[0]?.at).toBe(new Date(1_000 + 5 * 60_000).toISOString());
    expect(evaluateSilence(def, 'd1', quiet.state, { ts: 1_000, seq: 1 }, 10 * 60_000).events).toEqual([]);
    // A redelivered old reading does not end the silence; a newer one does.
    expect(evaluateReadings(def, 'd1', quiet.state, [reading(1_000, 1, 1)]).events).toEqual([]);
    const back = evaluateReadings(def, 'd1', quiet.state, [reading(400_000, 1)]);
    expect(types(back.events)).toEqual(['1:CLEARED']);
    // The same silence is not measured twice; a new one after the next reading is occurrence 2.
    expect(evaluateSilence(def, 'd1', back.state, { ts: 1_000, seq: 1 }, 10 * 60_000).events).toEqual([]);
    expect(types(evaluateSilence(def, 'd1', back.state, { ts: 400_000, seq: 400_000 }, 800_000).events)).toEqual(['2:ACTIVE']);
  });

  it('does nothing before the silence is long enough', () => {
    expect(evaluateSilence(def, 'd1', undefined, { ts: 1_000, seq: 1 }, 1_000 + 5 * 60_000 - 1).events).toEqual([]);
  });
});

describe('applyUserAction', () => {
  const active = runChunks(definition(), [[reading(1, 90)]]).state;
  const at = '2026-01-01T00:00:00.000Z';

  it('acknowledges an ACTIVE alarm, recording who and when', () => {
    const outcome = applyUserAction(active, 'acknowledge', { occurrence: 1, by: 'bob', at });
    expect(outcome).toMatchObject({ ok: true, event: { eventId: 'hot/d1/1/ACKNOWLEDGED', by: 'bob' } });
    if (outcome.ok) expect(outcome.state.alarm).toMatchObject({ status: 'ACKNOWLEDGED', acknowledgedBy: 'bob', acknowledgedAt: at });
  });

  it('refuses to acknowledge a CLEARED alarm, another occurrence, or an alarm that does not exist', () => {
    const cleared = applyUserAction(active, 'clear', { occurrence: 1, by: 'bob', at });
    if (!cleared.ok) throw new Error('clear refused');
    expect(applyUserAction(cleared.state, 'acknowledge', { occurrence: 1, by: 'bob', at })).toMatchObject({ code: 'AlarmStateConflict' });
    expect(applyUserAction(cleared.state, 'clear', { occurrence: 1, by: 'bob', at })).toMatchObject({ code: 'AlarmStateConflict' });
    expect(applyUserAction(active, 'acknowledge', { occurrence: 2, by: 'bob', at })).toMatchObject({ code: 'AlarmStateConflict' });
    expect(applyUserAction(undefined, 'clear', { occurrence: 1, by: 'bob', at })).toMatchObject({ code: 'AlarmNotFound' });
  });
});

// ---- properties ----

const conditionArb: fc.Arbitrary<AlarmCondition> = fc.oneof(
  fc.record({ kind: fc.constant('above' as const), metric: fc.constant('t'), threshold: fc.integer({ min: 0, max: 10 }) }),
  fc.record({ kind: fc.constant('below' as const), metric: fc.constant('t'), threshold: fc.integer({ min: 0, max: 10 }) }),
  fc.record({ kind: fc.constant('outside' as const), metric: fc.constant('t'), low: fc.constant(3), high: fc.constant(7) }),
  fc.record({ kind: fc.constant('rateOfChange' as const), metric: fc.constant('t'), maxChangePerMinute: fc.constant(60) }),
);
const durationArb: fc.Arbitrary<AlarmDuration> = fc.oneof(
  fc.constant({ kind: 'immediate' as const }),
  fc.integer({ min: 1, max: 5 }).map((seconds) => ({ kind: 'forSeconds' as const, seconds })),
  fc
    .tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }))
    .map(([a, b]) => ({ kind: 'readings' as const, breaching: Math.min(a, b), of: Math.max(a, b) })),
);
const definitionArb = fc
  .record({ condition: conditionArb, duration: durationArb, autoClear: fc.boolean() })
  .map((over) => definition(over));
/** Sorted, distinct (ts, seq) readings; a value sometimes missing. */
const readingsArb = fc
  .array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.option(fc.integer({ min: 0, max: 10 }), { freq: 8 })), { maxLength: 40 })
  .map((steps) => {
    let ts = 0;
    return steps.map(([gap, t], seq): Reading => {
      ts += gap * 1000;
      return { deviceId: 'd1', ts, seq, values: t === null ? {} : { t } };
    });
  });

/** Splits `readings` into chunks at `cuts`, each chunk with redelivered readings from before it. */
function chunked(readings: readonly Reading[], cuts: readonly number[], redeliver: readonly number[]): Reading[][] {
  const points = [...new Set(cuts.map((c) => c % (readings.length + 1)))].sort((a, b) => a - b);
  const chunks: Reading[][] = [];
  let from = 0;
  for (const [i, to] of [...points, readings.length].entries()) {
    const again = readings.slice(Math.max(0, from - (redeliver[i] ?? 0)), from);
    chunks.push([...again, ...readings.slice(from, to)]);
    from = to;
  }
  return chunks;
}

describe('evaluateReadings, properties', () => {
  it('gives the same transitions for one batch as for any chunks with redeliveries', () => {
    fc.assert(
      fc.property(
        definitionArb,
        readingsArb,
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.array(fc.nat({ max: 5 }), { maxLength: 7 }),
        (def, readings, cuts, redeliver) => {
          const whole = runChunks(def, [readings]);
          const parts = runChunks(def, chunked(readings, cuts, redeliver));
          expect(parts.events).toEqual(whole.events);
          expect(parts.state).toEqual(whole.state);
        },
      ),
    );
  });

  it('never emits two events of one type for one occurrence, and alternates ACTIVE and CLEARED', () => {
    fc.assert(
      fc.property(definitionArb, readingsArb, fc.array(fc.nat(), { maxLength: 6 }), (def, readings, cuts) => {
        const { events } = runChunks(def, chunked(readings, cuts, []));
        const ids = events.map((e) => e.eventId);
        expect(new Set(ids).size).toBe(ids.length);
        for (const [i, e] of events.entries()) {
          expect(e.type).toBe(i % 2 === 0 ? 'ACTIVE' : 'CLEARED');
          expect(e.alarm.occurrence).toBe(Math.floor(i / 2) + 1);
        }
        if (!def.autoClear) expect(events.length).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('is idempotent: the same batch evaluated again changes nothing', () => {
    fc.assert(
      fc.property(definitionArb, readingsArb, (def, readings) => {
        const once = runChunks(def, [readings]);
        const twice = runChunks(def, [readings], once.state);
        expect(twice.events).toEqual([]);
        expect(twice.state).toEqual(once.state);
      }),
    );
  });
});
