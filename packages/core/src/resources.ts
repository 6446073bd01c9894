/**
 * Logical names of every stateful resource. The CDK app creates them (with generated physical
 * names where AWS demands global uniqueness) and the local cloud creates them with these names;
 * services learn the physical names only from their environment (see `service-environment.ts`).
 */

/** Key attribute of a DynamoDB table or index. */
export interface KeyAttribute {
  readonly name: string;
  readonly type: 'S' | 'N';
}

/** A DynamoDB table, defined once for CDK and for the local cloud. */
export interface TableDefinition {
  /** Logical id; also the table name in the local cloud. */
  readonly id: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  /** Attribute holding an epoch-seconds expiry, enabled as DynamoDB TTL. */
  readonly timeToLiveAttribute?: string;
  readonly globalSecondaryIndexes?: readonly {
    readonly indexName: string;
    readonly partitionKey: KeyAttribute;
    readonly sortKey?: KeyAttribute;
  }[];
}

/**
 * Device registry: one item per device (owner, name, certificate, status). The API Service's
 * alone (docs/adr/0001-table-ownership.md).
 */
export const devicesTable: TableDefinition = {
  id: 'fleet-devices',
  partitionKey: { name: 'deviceId', type: 'S' },
  globalSecondaryIndexes: [
    {
      indexName: 'byOwner',
      partitionKey: { name: 'ownerId', type: 'S' },
      sortKey: { name: 'createdAt', type: 'S' },
    },
  ],
};

/**
 * Device state: one item per device holding its latest reading (replaced only by a newer (ts, seq))
 * and its presence from lifecycle events. The Data Service's alone; the API Service asks it for
 * many devices at once (`GET /data/device-states`). The id keeps its first name, `latest`.
 */
export const latestTable: TableDefinition = {
  id: 'fleet-latest',
  partitionKey: { name: 'deviceId', type: 'S' },
};

/**
 * Time series: time-bucketed items holding several readings each. The partition key is
 * `<deviceId>#<bucket>` so no partition grows without bound; expired buckets leave by TTL.
 */
export const telemetryTable: TableDefinition = {
  id: 'fleet-telemetry',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  timeToLiveAttribute: 'expiresAt',
};

/**
 * Facts about the platform as a whole, one item each, written with a condition so that exactly one
 * writer wins: today the claim of the first admin (`{ name: 'first-admin', sub, username }`), which
 * Cognito alone cannot make race-free (it has no conditional write). Tiny; reads are rare.
 */
export const platformStateTable: TableDefinition = {
  id: 'fleet-platform-state',
  partitionKey: { name: 'name', type: 'S' },
};

/**
 * Alarms (alarm-contract.ts), the Data Service's alone: one table, items told apart by their keys:
 * definitions (`pk = def`), each device's alarm with its evaluation state (`pk = alarm#<definitionId>`,
 * `sk = <deviceId>`), events (`pk = events#<day>`, newest by `sk`), notifications not yet published
 * (`pk = outbox`) and each user's feed marker (`pk = reader#<sub>`). Events leave by TTL.
 */
export const alarmsTable: TableDefinition = {
  id: 'fleet-alarms',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  timeToLiveAttribute: 'expiresAt',
};

/**
 * Rollups (data-life/rollups.ts), the Data Service's alone: one item per device, level and bucket,
 * `pk = <deviceId>#<level>#<period>` (the level's partition period: a day of minutes, a month of
 * hours, a year of days), `sk` = the bucket's start (ISO 8601), one attribute per metric holding its
 * aggregate. Items leave by TTL after their level's retention.
 */
export const rollupsTable: TableDefinition = {
  id: 'fleet-rollups',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  timeToLiveAttribute: 'expiresAt',
};

/**
 * The Data Service's control data: the retention settings (`pk = settings`, `sk = retention`) and
 * the data jobs (`pk = job`, `sk = <id>`; exports, imports, replays, data-life/data-jobs.ts) with
 * their leases. Finished jobs leave by TTL.
 */
export const dataControlTable: TableDefinition = {
  id: 'fleet-data-control',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  timeToLiveAttribute: 'expiresAt',
};

/**
 * Metric display settings (web-app/metric-settings.ts), the API Service's alone: one item per metric
 * name (label, unit, decimals), read whole by every page that shows values. Small: one item per
 * metric name the fleet uses.
 */
export const metricSettingsTable: TableDefinition = {
  id: 'fleet-metric-settings',
  partitionKey: { name: 'metric', type: 'S' },
};

/**
 * User-built dashboards (web-app/dashboards.ts), the API Service's alone: one item per dashboard
 * (`id`), its widgets inside. `byOwner` lists a user's own; `byShared` is sparse (only shared ones
 * carry `sharedKey`), so listing what the organisation shares reads only those.
 */
export const dashboardsTable: TableDefinition = {
  id: 'fleet-dashboards',
  partitionKey: { name: 'id', type: 'S' },
  globalSecondaryIndexes: [
    { indexName: 'byOwner', partitionKey: { name: 'owner', type: 'S' }, sortKey: { name: 'updatedAt', type: 'S' } },
    { indexName: 'byShared', partitionKey: { name: 'sharedKey', type: 'S' }, sortKey: { name: 'updatedAt', type: 'S' } },
  ],
};

/** How long an audit entry is kept (DynamoDB TTL on `expiresAt`): a year and a bit, so last year's same month is still there. */
export const auditRetentionDays = 400;

/**
 * The audit trail (web-app/audit.ts), the API Service's alone, written by one hook for every
 * mutating API call: `pk = day#<YYYY-MM-DD>` (UTC), `sk = <ISO time>#<request id>`, so newest-first
 * paging over a time range is a Query per day (ScanIndexForward false), never a Scan. Revoked devices
 * keep their record in the same table's own partition (`pk = revoked`, `sk = <ISO time>#<device id>`,
 * no expiry). The API may only put and query: an entry, once written, is never changed.
 */
export const auditTable: TableDefinition = {
  id: 'fleet-audit',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  timeToLiveAttribute: 'expiresAt',
};

/**
 * Device imports (bulk registration, device-import-contract.ts), the API Service's alone: per import
 * (`importId`, sort key `sk`) one `job` item (status, counts, heartbeat) and its row results in `results#<n>` items
 * of up to 500 rows each, written as each part of the file finishes. Gone after 30 days (TTL). The
 * generated private keys are never written here.
 */
export const deviceImportsTable: TableDefinition = {
  id: 'fleet-device-imports',
  partitionKey: { name: 'importId', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  timeToLiveAttribute: 'expiresAt',
};

export const tables = [
  devicesTable,
  latestTable,
  telemetryTable,
  platformStateTable,
  alarmsTable,
  rollupsTable,
  dataControlTable,
  metricSettingsTable,
  dashboardsTable,
  auditTable,
  deviceImportsTable,
] as const;

/** Amazon SNS topics; the CDK app and the local cloud create them with these names. */
export interface TopicDefinition {
  readonly id: string;
  readonly displayName: string;
}

/** Every alarm event (AlarmNotification JSON) is published here; webhooks and e-mail subscribe to it. */
export const alarmNotificationsTopic: TopicDefinition = { id: 'fleet-alarm-notifications', displayName: 'Fleet alarms' };

export const notificationTopics = [alarmNotificationsTopic] as const;

/** An SQS queue with its dead-letter queue. */
export interface QueueDefinition {
  readonly id: string;
  readonly visibilityTimeoutSeconds: number;
  readonly retentionSeconds: number;
  readonly deadLetter: { readonly id: string; readonly maxReceiveCount: number; readonly retentionSeconds: number };
}

/** IoT Rules → Data Service. At-least-once; after 5 failed receives a message moves to the DLQ. */
export const ingestQueue: QueueDefinition = {
  id: 'fleet-ingest',
  visibilityTimeoutSeconds: 60,
  retentionSeconds: 4 * 24 * 3600,
  deadLetter: { id: 'fleet-ingest-dlq', maxReceiveCount: 5, retentionSeconds: 14 * 24 * 3600 },
};

export const queues = [ingestQueue] as const;

/**
 * SQS's quota of in-flight messages (received, not yet deleted) of a standard queue: about 120,000;
 * past it ReceiveMessage answers OverLimit
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html).
 * The Data Service's tasks share it (their `maxHeldMessages`).
 */
export const sqsStandardQueueInFlightQuota = 120_000;

/** The one bucket; its prefixes separate the data kinds. */
export const telemetryBucket = {
  id: 'fleet-telemetry',
  prefixes: {
    /** Raw readings in batched, hour-partitioned objects. */
    archive: 'archive/',
    /** Readings or rule messages that could not be processed, with the reason; replayable. */
    deadLetters: 'dead-letters/',
    /** User-requested exports (data jobs), kept a week. */
    exports: 'exports/',
    /** Files uploaded for historical import (data jobs), kept a week. */
    imports: 'imports/',
  },
} as const;

/** CloudWatch names. No device id is ever a dimension: each dimension value is a billed metric. */
export const monitoring = {
  namespace: 'Fleet',
  alertsLogGroup: '/fleet/alerts',
  ruleErrorsLogGroup: '/fleet/rule-errors',
  serviceLogGroup: (service: string) => `/fleet/services/${service}`,
} as const;

/**
 * The dimensions of the metrics a service writes as EMF (`Service=<name>`, packages/core process/emf-metrics.ts).
 * CloudWatch keeps each combination of dimensions as its own metric: an alarm or a query that leaves
 * them out watches a metric nobody writes.
 */
export function serviceMetricDimensions(service: string): Readonly<Record<string, string>> {
  return { Service: service };
}

/**
 * Metrics the Data Service writes (EMF, dimension `Service=data`) that other processes read: the
 * benchmark sums them over a run with GetMetricStatistics. Write units are what DynamoDB reported
 * with `ReturnConsumedCapacity: 'TOTAL'` for the telemetry and latest writes of stored readings.
 */
export const dataServiceMetrics = {
  readingsStored: 'ReadingsStored',
  telemetryWriteCapacityUnits: 'TelemetryWriteCapacityUnits',
  /** UpdateItems of the telemetry table: about one per device and flush, so readings ÷ writes is a flush's readings of a device. */
  telemetryWrites: 'TelemetryWrites',
  latestWriteCapacityUnits: 'LatestWriteCapacityUnits',
  /** Write units of the rollup items (1-minute, 1-hour, 1-day) the stored readings changed. */
  rollupWriteCapacityUnits: 'RollupWriteCapacityUnits',
  /** Readings kept as dead letters instead of stored (invalid, too old, refused by a store): the overview's rejects. */
  readingsRejected: 'ReadingsRejected',
  /** Stored readings re-published to a granted thing group's live topic (`topics.groupTelemetry`), one per group. */
  groupLivePublished: 'GroupLivePublished',
  /** Group live publishes that failed or were dropped (best effort: the reading is stored all the same). */
  groupLiveFailed: 'GroupLiveFailed',
} as const;
