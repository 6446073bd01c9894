/**
 * User-defined alarms in the Data Service, wired from its clients: the stores of the `fleet-alarms`
 * table, the evaluator on ingest, the silent-device sweep and the outbox drain on a timer, and what
 * the HTTP routes use. See README.md in this folder for why it lives here and how transitions are
 * written exactly once.
 */
import type { IoTClient } from '@aws-sdk/client-iot';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Logger } from 'pino';
import { createAlarmEngine, type AlarmEngine } from './alarm-engine.ts';
import { createAlarmStateStore, type AlarmStateStore } from './alarm-state-store.ts';
import { createDefinitionCache, type DefinitionCache } from './definition-cache.ts';
import { createDefinitionStore, type DefinitionStore } from './definition-store.ts';
import { createEventStore, type EventStore } from './event-store.ts';
import { createGroupMembership, type GroupMembership } from '../group-membership.ts';
import { createNotifier } from './notifier.ts';
import { createOutbox } from './outbox.ts';
import { createOutboxDrain, type OutboxDrain } from './outbox-drain.ts';
import { createSilenceSweep, scanLastReadings, type SilenceSweep } from './silence-sweep.ts';
import { createTransitionWriter, type TransitionWriter } from './transition-writer.ts';

export interface AlarmsOptions {
  readonly dynamo: Pick<DynamoDBDocumentClient, 'send'>;
  /** The `fleet-alarms` table. */
  readonly tableName: string;
  /** The device state table: the last reading of each device, for the silent-device sweep. */
  readonly latestTableName: string;
  readonly iot: Pick<IoTClient, 'send'>;
  /** The thing groups of devices, shared with the service's other users of them. @default one of its own over `iot` */
  readonly groups?: GroupMembership;
  readonly sns: Pick<SNSClient, 'send'>;
  readonly topicArn: string;
  readonly logger: Logger;
  /** How often the sweep and the drain run. @default 15000 */
  readonly intervalMs?: number;
  /** Told each notification published (the service counts them as a metric). */
  readonly onPublished?: (count: number) => void;
  /** How long the enabled definitions are reused by ingest. @default 5000 */
  readonly definitionCacheMs?: number;
  readonly now?: () => number;
}

export interface Alarms {
  readonly definitions: DefinitionStore;
  readonly definitionCache: DefinitionCache;
  readonly states: AlarmStateStore;
  readonly events: EventStore;
  readonly writer: TransitionWriter;
  readonly engine: AlarmEngine;
  readonly sweep: SilenceSweep;
  readonly drain: OutboxDrain;
  readonly groups: GroupMembership;
  /** Starts the periodic sweep and drain. */
  start(): void;
  /** Stops the timer and waits for a pass in progress. */
  stop(): Promise<void>;
}

export function createAlarms(options: AlarmsOptions): Alarms {
  const { dynamo: client, tableName, logger } = options;
  const definitions = createDefinitionStore({ client, tableName });
  const definitionCache = createDefinitionCache({
    store: definitions,
    ...(options.definitionCacheMs === undefined ? {} : { ttlMs: options.definitionCacheMs }),
  });
  const states = createAlarmStateStore({ client, tableName });
  const events = createEventStore({ client, tableName });
  const outbox = createOutbox({ client, tableName, ...(options.now ? { now: options.now } : {}) });
  const notifier = createNotifier({
    sns: options.sns,
    topicArn: options.topicArn,
    outbox,
    events,
    logger,
    ...(options.onPublished ? { onPublished: options.onPublished } : {}),
  });
  const writer = createTransitionWriter({ states, events, outbox, notifier });
  const groups = options.groups ?? createGroupMembership({ iot: options.iot });
  const engine = createAlarmEngine({ definitions: definitionCache, groups, states, writer, logger });
  const sweep = createSilenceSweep({
    definitions: definitionCache,
    groups,
    lastReadings: () => scanLastReadings(client, options.latestTableName),
    states,
    writer,
    logger,
    ...(options.now ? { now: options.now } : {}),
  });
  const drain = createOutboxDrain({ outbox, states, events, writer, notifier, logger, ...(options.now ? { now: options.now } : {}) });

  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const pass = async () => {
    try {
      await sweep.sweep();
    } catch (err) {
      logger.warn({ err }, 'silent-device sweep failed');
    }
    try {
      await drain.drain();
    } catch (err) {
      logger.warn({ err }, 'alarm outbox drain failed');
    }
  };
  return {
    definitions,
    definitionCache,
    states,
    events,
    writer,
    engine,
    sweep,
    drain,
    groups,
    start() {
      if (timer) return;
      timer = setInterval(() => {
        // One pass at a time in a task; several tasks are safe (conditional writes).
        running = running.then(pass);
      }, options.intervalMs ?? 15_000);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}
