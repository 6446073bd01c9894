/**
 * The audit trail in DynamoDB (`@fleet/core` auditTable, keys in audit-keys.ts): PutItem per entry,
 * a Query per day partition to read newest first. The task role may do nothing else on the table.
 */
import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { auditLimits, auditRetentionDays, type AuditEntry } from '@fleet/core';
import { dayPartition, daysNewestFirst, encodeCursor, entrySortKey, sortKeyRange, type AuditCursor } from './audit-keys.ts';

export interface AuditStore {
  put(entry: AuditEntry): Promise<void>;
  /** A page of entries in [from, to], newest first, that `filter` keeps after `enrich`. */
  page(request: AuditPageRequest): Promise<{ entries: AuditEntry[]; nextCursor?: string }>;
}

export interface AuditPageRequest {
  /** Where the last page stopped, or the start of the range (`day` = the day of `to`). */
  readonly at: AuditCursor;
  readonly limit: number;
  /** Completes entries read (e.g. the actors' emails) before the filter sees them. */
  readonly enrich?: (entries: AuditEntry[]) => Promise<AuditEntry[]>;
  readonly filter?: (entry: AuditEntry) => boolean;
}

export interface AuditStoreDeps {
  readonly dynamo: Pick<DynamoDBDocumentClient, 'send'>;
  readonly tableName: string;
}

/**
 * Items read per Query at least: a filter may drop most of them, and a page ends after the last entry
 * it returns whatever was read beyond it (each Query reads at most 1 MB anyway).
 */
const filteredBatch = 100;

/** The epoch-seconds expiry DynamoDB's TTL reads. */
export function auditExpiry(timeMs: number): number {
  return Math.floor(timeMs / 1000) + auditRetentionDays * 24 * 3600;
}

function entryOf(item: Record<string, unknown>): AuditEntry {
  const { pk: _pk, sk: _sk, expiresAt: _expiresAt, ...entry } = item;
  const stored = entry as AuditEntry;
  // The email is not stored (audit-lookups.ts fills it when read).
  return { ...stored, actor: { ...stored.actor, email: null } };
}

export function createAuditStore(deps: AuditStoreDeps): AuditStore {
  const { dynamo, tableName } = deps;
  return {
    async put(entry) {
      const timeMs = Date.parse(entry.time);
      const { email: _email, ...actor } = entry.actor;
      await dynamo.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            pk: dayPartition(timeMs),
            sk: entrySortKey(timeMs, entry.requestId),
            expiresAt: auditExpiry(timeMs),
            ...entry,
            actor,
          },
        }),
      );
    },

    async page({ at, limit, enrich = (e) => Promise.resolve(e), filter = () => true }) {
      const days = daysNewestFirst(at.from, at.to);
      const range = sortKeyRange(at.from, at.to);
      const entries: AuditEntry[] = [];
      let dayIndex = days.indexOf(at.day);
      if (dayIndex < 0) return { entries };
      let startSk = at.afterSk;
      const lastDay = Math.min(days.length, dayIndex + auditLimits.maxDaysPerPage);
      while (dayIndex < lastDay) {
        const day = days[dayIndex] as string;
        const out = await dynamo.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk AND sk BETWEEN :low AND :high',
            ExpressionAttributeValues: { ':pk': day, ':low': range.low, ':high': range.high },
            ScanIndexForward: false,
            Limit: Math.max(limit - entries.length, filteredBatch),
            ...(startSk ? { ExclusiveStartKey: { pk: day, sk: startSk } } : {}),
          }),
        );
        const items = out.Items ?? [];
        const read = await enrich(items.map(entryOf));
        for (const [i, entry] of read.entries()) {
          if (!filter(entry)) continue;
          entries.push(entry);
          if (entries.length === limit) {
            const more = i < items.length - 1 || out.LastEvaluatedKey !== undefined || dayIndex < days.length - 1;
            const sk = String(items[i]?.['sk']);
            return more ? { entries, nextCursor: encodeCursor({ from: at.from, to: at.to, day, afterSk: sk }) } : { entries };
          }
        }
        if (out.LastEvaluatedKey) {
          startSk = String(out.LastEvaluatedKey['sk']);
          continue;
        }
        startSk = undefined;
        dayIndex++;
      }
      // The day budget ran out before the page filled: the next page starts at the next day.
      const next = days[dayIndex];
      return next ? { entries, nextCursor: encodeCursor({ from: at.from, to: at.to, day: next }) } : { entries };
    },
  };
}

/** The first page of [fromMs, toMs]: at the day of `to`. */
export function rangeStart(fromMs: number, toMs: number): AuditCursor {
  return { from: fromMs, to: toMs, day: dayPartition(toMs) };
}
