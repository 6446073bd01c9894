/**
 * Dashboards in the `fleet-dashboards` table (`@fleet/core` dashboardsTable), the API Service's
 * own: one item per dashboard, the widgets inside it. Every replacement is a conditional put on the
 * version it was made from, so of two editors of one version exactly one wins and the other learns
 * it (DynamoDB's optimistic locking with a version number:
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/DynamoDBMapper.OptimisticLocking.html).
 * Expected outcomes are values; only a failed call throws.
 */
import { randomBytes } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dashboardLimits, type Dashboard, type DashboardInput, type DashboardSummary } from '@fleet/core';

/** A stored dashboard: the wire shape without `editable`, which depends on who asks. */
export type DashboardRecord = Omit<Dashboard, 'editable'>;
export type DashboardSummaryRecord = Omit<DashboardSummary, 'editable'>;

export type CreateOutcome = { readonly ok: true; readonly dashboard: DashboardRecord } | { readonly ok: false; readonly owned: number };
export type ReplaceOutcome =
  | { readonly ok: true; readonly dashboard: DashboardRecord }
  | { readonly ok: false; readonly reason: 'missing' }
  | { readonly ok: false; readonly reason: 'stale'; readonly current: number };

export interface DashboardStore {
  create(owner: { sub: string; username: string }, input: DashboardInput): Promise<CreateOutcome>;
  get(id: string): Promise<DashboardRecord | undefined>;
  /** Replaces the dashboard if it is still at `version`; owner and creation time stay. */
  replace(id: string, input: DashboardInput, version: number): Promise<ReplaceOutcome>;
  /** `false` when there was none. */
  remove(id: string): Promise<boolean>;
  /** The owner's dashboards, newest change first. */
  listOwned(owner: string): Promise<DashboardSummaryRecord[]>;
  /** Shared dashboards of the organisation, newest change first, at most `maxSharedListed`. */
  listShared(): Promise<DashboardSummaryRecord[]>;
}

/** The partition of the sparse `byShared` index: only shared dashboards carry it. */
const sharedKey = 'org';
/** The attributes of a list line, each through a placeholder (`name`, `owner`, `shared` are DynamoDB reserved words). */
const summaryAttributes = ['id', 'name', 'owner', 'ownerName', 'shared', 'widgetCount', 'updatedAt'];
const summaryNames = Object.fromEntries(summaryAttributes.map((a) => [`#${a}`, a]));

function itemOf(record: DashboardRecord): Record<string, unknown> {
  return { ...record, widgetCount: record.widgets.length, ...(record.shared ? { sharedKey } : {}) };
}

function recordOf(item: Record<string, unknown>): DashboardRecord {
  const { widgetCount: _count, sharedKey: _shared, ...record } = item;
  return record as DashboardRecord;
}

export function createDashboardStore(deps: { dynamo: Pick<DynamoDBDocumentClient, 'send'>; tableName: string }): DashboardStore {
  const { dynamo, tableName } = deps;

  async function summaries(indexName: string, key: string, value: string, limit: number): Promise<DashboardSummaryRecord[]> {
    const out = await dynamo.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: indexName,
        KeyConditionExpression: `#key = :v`,
        ExpressionAttributeValues: { ':v': value },
        ExpressionAttributeNames: { ...summaryNames, '#key': key },
        ProjectionExpression: Object.keys(summaryNames).join(', '),
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (out.Items ?? []) as DashboardSummaryRecord[];
  }

  return {
    async create(owner, input) {
      const owned = await dynamo.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: 'byOwner',
          KeyConditionExpression: '#owner = :o',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':o': owner.sub },
          Select: 'COUNT',
        }),
      );
      if ((owned.Count ?? 0) >= dashboardLimits.maxPerOwner) return { ok: false, owned: owned.Count ?? 0 };
      const now = new Date().toISOString();
      const dashboard: DashboardRecord = {
        ...input,
        id: randomBytes(8).toString('hex'),
        owner: owner.sub,
        ownerName: owner.username,
        version: 1,
        createdAt: now,
        updatedAt: now,
      };
      await dynamo.send(new PutCommand({ TableName: tableName, Item: itemOf(dashboard), ConditionExpression: 'attribute_not_exists(id)' }));
      return { ok: true, dashboard };
    },

    async get(id) {
      const out = await dynamo.send(new GetCommand({ TableName: tableName, Key: { id }, ConsistentRead: true }));
      return out.Item ? recordOf(out.Item) : undefined;
    },

    async replace(id, input, version) {
      const current = await this.get(id);
      if (!current) return { ok: false, reason: 'missing' };
      if (current.version !== version) return { ok: false, reason: 'stale', current: current.version };
      const dashboard: DashboardRecord = { ...current, ...input, version: version + 1, updatedAt: new Date().toISOString() };
      try {
        await dynamo.send(
          new PutCommand({
            TableName: tableName,
            Item: itemOf(dashboard),
            ConditionExpression: 'version = :v',
            ExpressionAttributeValues: { ':v': version },
          }),
        );
      } catch (err) {
        if (!(err instanceof ConditionalCheckFailedException)) throw err;
        // Another editor's write landed between our read and our put.
        const now = await this.get(id);
        return now ? { ok: false, reason: 'stale', current: now.version } : { ok: false, reason: 'missing' };
      }
      return { ok: true, dashboard };
    },

    async remove(id) {
      const out = await dynamo.send(new DeleteCommand({ TableName: tableName, Key: { id }, ReturnValues: 'ALL_OLD' }));
      return out.Attributes !== undefined;
    },

    listOwned: (owner) => summaries('byOwner', 'owner', owner, dashboardLimits.maxPerOwner),
    listShared: () => summaries('byShared', 'sharedKey', sharedKey, dashboardLimits.maxSharedListed),
  };
}
