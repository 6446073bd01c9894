/**
 * Metric alarms and their history, kept in memory and written to one JSON snapshot after every
 * change (alarms change rarely; writes are coalesced). The evaluator reads the metric store and
 * moves alarms between OK / ALARM / INSUFFICIENT_DATA, recording a StateUpdate history item
 * with CloudWatch's shape and logging the change.
 */
import type { Logger } from 'pino';
import { writeFileAtomically } from '../durable-files/atomic-file.ts';
import { evaluateAlarmRule, evaluationRange, type AlarmRule, type AlarmState } from './alarm-evaluation.ts';
import { statisticValue, type MetricStore } from './metric-store.ts';

/** A metric alarm as DescribeAlarms returns it, timestamps in epoch ms. */
export interface StoredAlarm extends AlarmRule {
  readonly AlarmName: string;
  readonly AlarmArn: string;
  readonly AlarmDescription?: string;
  readonly ActionsEnabled: boolean;
  readonly OKActions: readonly string[];
  readonly AlarmActions: readonly string[];
  readonly InsufficientDataActions: readonly string[];
  readonly AlarmConfigurationUpdatedTimestamp: number;
  StateValue: AlarmState;
  StateReason: string;
  StateReasonData?: string;
  StateUpdatedTimestamp: number;
  StateTransitionedTimestamp: number;
}

export type HistoryItemType = 'ConfigurationUpdate' | 'StateUpdate' | 'Action';

export interface HistoryItem {
  readonly AlarmName: string;
  readonly AlarmType: 'MetricAlarm';
  readonly Timestamp: number;
  readonly HistoryItemType: HistoryItemType;
  readonly HistorySummary: string;
  readonly HistoryData: string;
}

export interface AlarmDocument {
  readonly version: 1;
  readonly alarms: StoredAlarm[];
  readonly history: HistoryItem[];
}

export interface AlarmStore {
  get(name: string): StoredAlarm | undefined;
  all(): StoredAlarm[];
  /** Creates or replaces the configuration; an existing alarm keeps its state (as on AWS). */
  put(alarm: StoredAlarm): void;
  delete(names: readonly string[]): void;
  /** Sets the state (SetAlarmState or the evaluator) and records the change in the history. */
  setState(name: string, state: AlarmState, reason: string, reasonData?: string): void;
  history(): readonly HistoryItem[];
  evaluate(): void;
  /** Resolves when every change so far is on disk. */
  flush(): Promise<void>;
}

// CloudWatch keeps alarm history for 30 days; the count cap keeps a chatty alarm from growing the file.
const historyRetentionMs = 30 * 24 * 3600_000;
const maxHistoryItems = 10_000;

export function createAlarmStore(deps: {
  readonly file: string;
  readonly document?: AlarmDocument;
  readonly metrics: MetricStore;
  readonly clock: () => number;
  readonly log: Logger;
}): AlarmStore {
  const { clock, log } = deps;
  const alarms = new Map<string, StoredAlarm>((deps.document?.alarms ?? []).map((a) => [a.AlarmName, a]));
  let history: HistoryItem[] = [...(deps.document?.history ?? [])];
  let dirty = false;
  let writing: Promise<void> | undefined;

  function save(): void {
    dirty = true;
    writing ??= writeLoop().catch((err: unknown) => {
      log.error({ err, file: deps.file }, 'could not save CloudWatch alarms');
    });
  }

  async function writeLoop(): Promise<void> {
    try {
      while (dirty) {
        dirty = false;
        const now = clock();
        history = history.filter((h) => h.Timestamp >= now - historyRetentionMs).slice(-maxHistoryItems);
        const doc: AlarmDocument = { version: 1, alarms: [...alarms.values()], history };
        await writeFileAtomically(deps.file, JSON.stringify(doc));
      }
    } finally {
      writing = undefined;
    }
  }

  function addHistory(item: HistoryItem): void {
    history.push(item);
    if (history.length > maxHistoryItems * 1.1) history = history.slice(-maxHistoryItems);
  }

  const store: AlarmStore = {
    get: (name) => alarms.get(name),
    all: () => [...alarms.values()].sort((a, b) => (a.AlarmName < b.AlarmName ? -1 : a.AlarmName > b.AlarmName ? 1 : 0)),

    put(alarm) {
      const existing = alarms.get(alarm.AlarmName);
      const stored: StoredAlarm = existing
        ? {
            ...alarm,
            StateValue: existing.StateValue,
            StateReason: existing.StateReason,
            StateReasonData: existing.StateReasonData,
            StateUpdatedTimestamp: existing.StateUpdatedTimestamp,
            StateTransitionedTimestamp: existing.StateTransitionedTimestamp,
          }
        : alarm;
      alarms.set(alarm.AlarmName, stored);
      addHistory({
        AlarmName: alarm.AlarmName,
        AlarmType: 'MetricAlarm',
        Timestamp: alarm.AlarmConfigurationUpdatedTimestamp,
        HistoryItemType: 'ConfigurationUpdate',
        HistorySummary: `Alarm "${alarm.AlarmName}" ${existing ? 'updated' : 'created'}`,
        HistoryData: JSON.stringify({
          type: existing ? 'Update' : 'Create',
          version: '1.0',
          ...(existing ? {} : { createdAlarm: describe(stored) }),
        }),
      });
      save();
    },

    delete(names) {
      for (const name of names) {
        if (alarms.delete(name)) {
          addHistory({
            AlarmName: name,
            AlarmType: 'MetricAlarm',
            Timestamp: clock(),
            HistoryItemType: 'ConfigurationUpdate',
            HistorySummary: `Alarm "${name}" deleted`,
            HistoryData: JSON.stringify({ type: 'Delete', version: '1.0' }),
          });
        }
      }
      save();
    },

    setState(name, state, reason, reasonData) {
      const alarm = alarms.get(name);
      if (!alarm) throw new Error(`setState: alarm ${name} does not exist; callers check first`);
      const now = clock();
      const old = { stateValue: alarm.StateValue, stateReason: alarm.StateReason };
      const transitioned = alarm.StateValue !== state;
      alarm.StateValue = state;
      alarm.StateReason = reason;
      alarm.StateReasonData = reasonData;
      alarm.StateUpdatedTimestamp = now;
      if (transitioned) alarm.StateTransitionedTimestamp = now;
      addHistory({
        AlarmName: name,
        AlarmType: 'MetricAlarm',
        Timestamp: now,
        HistoryItemType: 'StateUpdate',
        HistorySummary: `Alarm updated from ${old.stateValue} to ${state}`,
        HistoryData: JSON.stringify({
          version: '1.0',
          oldState: old,
          newState: {
            stateValue: state,
            stateReason: reason,
            ...(reasonData ? { stateReasonData: JSON.parse(reasonData) as unknown } : {}),
          },
        }),
      });
      log.info({ alarm: name, from: old.stateValue, to: state, reason }, 'CloudWatch alarm state changed');
      save();
    },

    history: () => history,

    evaluate() {
      const now = clock();
      for (const alarm of alarms.values()) {
        const { start, end } = evaluationRange(alarm, now);
        const periods = deps.metrics.periods(
          { namespace: alarm.Namespace, metricName: alarm.MetricName, dimensions: alarm.Dimensions },
          alarm.Unit,
          start,
          end,
          alarm.Period,
        );
        const values = new Map(
          periods.map((p) => [p.timestamp, { value: statisticValue(p.aggregate, alarm.Statistic), sampleCount: p.aggregate.count }]),
        );
        const result = evaluateAlarmRule(alarm, alarm.StateValue, values, now);
        // CloudWatch records a history item only when the state changes.
        if (result.state !== alarm.StateValue) store.setState(alarm.AlarmName, result.state, result.reason, result.reasonData);
      }
    },

    async flush() {
      while (writing) await writing;
    },
  };
  return store;
}

/** The alarm in DescribeAlarms' wire shape (timestamps in epoch seconds, as JSON 1.0 carries them). */
export function describe(alarm: StoredAlarm): Record<string, unknown> {
  return {
    ...alarm,
    Dimensions: alarm.Dimensions,
    AlarmConfigurationUpdatedTimestamp: alarm.AlarmConfigurationUpdatedTimestamp / 1000,
    StateUpdatedTimestamp: alarm.StateUpdatedTimestamp / 1000,
    StateTransitionedTimestamp: alarm.StateTransitionedTimestamp / 1000,
  };
}
