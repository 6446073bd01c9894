/**
 * Data jobs in the `fleet-data-control` table (`@fleet/core` dataControlTable):
 *
 * - the job: `pk = job`, `sk = <id>`, the DataJob's fields plus its lease (`leaseOwner`, `leaseUntil`)
 *   and, once finished, `expiresAt` (DynamoDB TTL, `dataJobLimits.keepDays`). Ids start with the
 *   creation time in base 36, so a descending Query lists the newest first;
 * - an open marker per queued or running job (`pk = job-open`, `sk = <id>`), so the runners' poll
 *   reads a handful of items instead of every job of the last month. Written before the job turns
 *   queued and deleted after it finishes: a crash in between leaves a marker pointing at a job that
 *   is not claimable, which the runner removes (never a queued job without its marker).
 *
 * A claim is a conditional UpdateItem (queued, or running with an expired lease): two Data Service
 * tasks never run one job, and the job of a killed task is claimed again once its lease expires.
 */
import { randomBytes } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dataJobLimits, type DataJob, type DataJobInput, type DataJobKind, type DataJobPage } from '@fleet/core';
import { conditionHeld } from './conditional-write.ts';
import { queryItems } from '../query-items.ts';

const jobPk = 'job';
const openPk = 'job-open';
const internal = ['pk', 'sk', 'leaseOwner', 'leaseUntil', 'expiresAt'] as const;

export type JobProgress = DataJob['progress'];
export type JobOutcome =
  | { readonly status: 'succeeded'; readonly result: NonNullable<DataJob['result']> }
  | { readonly status: 'failed'; readonly error: string; readonly result?: DataJob['result'] };

export interface JobStore {
  /** Stores a new job (newJob); a queued one gets its open marker. */
  create(job: DataJob): Promise<void>;
  get(id: string): Promise<DataJob | undefined>;
  list(query: { kind?: DataJobKind; limit: number; nextToken?: string }): Promise<DataJobPage | { invalidToken: true }>;
  /** awaiting-upload → queued (with its open marker); false when the job is in another state. */
  queue(id: string): Promise<boolean>;
  /** Open markers of queued or running jobs, oldest first. */
  open(): Promise<OpenMarker[]>;
  /** Claims a queued job, or a running one whose lease expired; the claimed job, or undefined. */
  claim(id: string, owner: string, leaseMs: number): Promise<DataJob | undefined>;
  /** Records progress and extends the lease; false when the lease was lost to another owner. */
  heartbeat(id: string, owner: string, progress: JobProgress, leaseMs: number): Promise<boolean>;
  /** Records the outcome (only under the owner's lease) and removes the open marker. */
  finish(id: string, owner: string, outcome: JobOutcome): Promise<boolean>;
  /** Removes the open marker of a job that is no longer queued or running (or never became so). */
  dropMarker(id: string): Promise<void>;
}

/**
 * A job's open marker. It is written *before* its job is created queued or moved to queued, so a
 * task dying between the two writes leaves a marker without a queued job (harmless), never a
 * queued job that no runner will find. A runner may therefore see a marker whose job is not yet
 * written or still awaiting its upload: it keeps such a marker for `openMarkerGraceMs`.
 */
export interface OpenMarker {
  readonly id: string;
  /** Epoch ms the marker was written (0 for markers written before markers carried it). */
  readonly markedAt: number;
}

/** How long a marker whose job is missing or not yet queued is kept: far longer than the two writes take. */
export const openMarkerGraceMs = 60_000;

export interface JobStoreOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly now?: () => number;
}

const iso = (ms: number) => new Date(ms).toISOString();
const encodeToken = (sk: string) => Buffer.from(JSON.stringify({ sk }), 'utf8').toString('base64url');
function decodeToken(token: string): string | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    const sk = typeof value === 'object' && value !== null ? (value as { sk?: unknown }).sk : undefined;
    return typeof sk === 'string' && /^[a-z0-9-]{8,64}$/.test(sk) ? sk : undefined;
  } catch {
    return undefined;
  }
}

/** The DataJob of a stored item (lease and key attributes stripped). */
export function jobOfItem(item: Record<string, unknown>): DataJob {
  const job: Record<string, unknown> = { ...item };
  for (const name of internal) delete job[name];
  return job as unknown as DataJob;
}

/** A new job id: creation time (base 36, fixed width: sorts as it was created) and 8 random hex digits. */
export function newJobId(now: number): string {
  return `${now.toString(36).padStart(9, '0')}-${randomBytes(4).toString('hex')}`;
}

/** A new job of `input`: queued, or awaiting its upload (an import). Progress units: readings, bytes of the file, objects. */
export function newJob(input: DataJobInput, createdBy: string, at: number): DataJob {
  return {
    id: newJobId(at),
    input,
    status: input.kind === 'import' ? 'awaiting-upload' : 'queued',
    createdAt: iso(at),
    createdBy,
    updatedAt: iso(at),
    progress:
      input.kind === 'import'
        ? { done: 0, total: input.bytes, unit: 'bytes' }
        : { done: 0, unit: input.kind === 'replay' ? 'objects' : 'readings' },
  };
}

export function createJobStore({ client, tableName, now = Date.now }: JobStoreOptions): JobStore {
  const putMarker = (id: string) => client.send(new PutCommand({ TableName: tableName, Item: { pk: openPk, sk: id, markedAt: now() } }));

  return {
    async create(job) {
      if (job.status === 'queued') await putMarker(job.id);
      await client.send(new PutCommand({ TableName: tableName, Item: { pk: jobPk, sk: job.id, ...job } }));
    },

    async get(id) {
      const out = await client.send(new GetCommand({ TableName: tableName, Key: { pk: jobPk, sk: id }, ConsistentRead: true }));
      return out.Item ? jobOfItem(out.Item) : undefined;
    },

    async list({ kind, limit, nextToken }) {
      const after = nextToken === undefined ? undefined : decodeToken(nextToken);
      if (nextToken !== undefined && after === undefined) return { invalidToken: true };
      const jobs: DataJob[] = [];
      // A kind filter is applied here, page by page, so a page holds `limit` jobs of that kind when there are that many.
      for await (const item of queryItems(client, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': jobPk },
        ScanIndexForward: false,
        Limit: dataJobLimits.maxPage,
        ...(after === undefined ? {} : { ExclusiveStartKey: { pk: jobPk, sk: after } }),
      })) {
        const job = jobOfItem(item);
        if (kind && job.input.kind !== kind) continue;
        jobs.push(job);
        if (jobs.length === limit) return { jobs, nextToken: encodeToken(job.id) };
      }
      return { jobs };
    },

    async queue(id) {
      await putMarker(id);
      return conditionHeld(() =>
        client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: jobPk, sk: id },
            UpdateExpression: 'SET #s = :queued, updatedAt = :at REMOVE upload',
            ConditionExpression: '#s = :awaiting',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':queued': 'queued', ':awaiting': 'awaiting-upload', ':at': iso(now()) },
          }),
        ),
      );
    },

    async open() {
      const markers: OpenMarker[] = [];
      const items = queryItems(client, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': openPk },
      });
      for await (const item of items) markers.push({ id: String(item['sk']), markedAt: Number(item['markedAt'] ?? 0) });
      return markers;
    },

    async claim(id, owner, leaseMs) {
      const at = now();
      let claimed: DataJob | undefined;
      await conditionHeld(async () => {
        const out = await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: jobPk, sk: id },
            // Re-run from the start (every job is idempotent): progress starts again at 0.
            UpdateExpression: 'SET #s = :running, leaseOwner = :owner, leaseUntil = :until, updatedAt = :at, progress.done = :zero',
            ConditionExpression: '#s = :queued OR (#s = :running AND leaseUntil < :now)',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: {
              ':running': 'running',
              ':queued': 'queued',
              ':owner': owner,
              ':until': at + leaseMs,
              ':now': at,
              ':at': iso(at),
              ':zero': 0,
            },
            ReturnValues: 'ALL_NEW',
          }),
        );
        if (out.Attributes) claimed = jobOfItem(out.Attributes);
      });
      return claimed;
    },

    async heartbeat(id, owner, progress, leaseMs) {
      const at = now();
      return conditionHeld(() =>
        client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: jobPk, sk: id },
            UpdateExpression: 'SET progress = :p, leaseUntil = :until, updatedAt = :at',
            ConditionExpression: '#s = :running AND leaseOwner = :owner',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':p': progress, ':until': at + leaseMs, ':at': iso(at), ':running': 'running', ':owner': owner },
          }),
        ),
      );
    },

    async finish(id, owner, outcome) {
      const at = now();
      const values: Record<string, unknown> = {
        ':s': outcome.status,
        ':at': iso(at),
        ':exp': Math.floor(at / 1000) + dataJobLimits.keepDays * 86_400,
        ':running': 'running',
        ':owner': owner,
      };
      const sets = ['#s = :s', 'updatedAt = :at', 'expiresAt = :exp'];
      if (outcome.result) {
        sets.push('#r = :r');
        values[':r'] = outcome.result;
      }
      if (outcome.status === 'failed') {
        sets.push('#e = :e');
        values[':e'] = outcome.error.slice(0, 1024);
      }
      const held = await conditionHeld(() =>
        client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: jobPk, sk: id },
            UpdateExpression: `SET ${sets.join(', ')} REMOVE leaseOwner, leaseUntil`,
            ConditionExpression: '#s = :running AND leaseOwner = :owner',
            ExpressionAttributeNames: {
              '#s': 'status',
              ...(outcome.result ? { '#r': 'result' } : {}),
              ...(outcome.status === 'failed' ? { '#e': 'error' } : {}),
            },
            ExpressionAttributeValues: values,
          }),
        ),
      );
      if (!held) return false;
      await client.send(new DeleteCommand({ TableName: tableName, Key: { pk: openPk, sk: id } }));
      return true;
    },

    async dropMarker(id) {
      await client.send(new DeleteCommand({ TableName: tableName, Key: { pk: openPk, sk: id } }));
    },
  };
}
