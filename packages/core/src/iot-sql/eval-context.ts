import type { Mqtt5Properties } from './message.ts';
import type { SqlVersion } from './sql-version.ts';
import type { SqlValue } from './values.ts';

/** What an expression can see besides the document it is evaluated against. */
export interface EvalContext {
  /** The topic as `topic()` reports it (Basic Ingest prefix removed). */
  readonly topic: string;
  readonly clientId: string;
  /** Epoch milliseconds, returned by `timestamp()`. */
  readonly timestamp: number;
  readonly principal: string | undefined;
  readonly traceId: string | undefined;
  readonly accountId: string;
  /** The raw payload, for `encode(*, 'base64')`. */
  readonly payload: Uint8Array;
  /** The parsed JSON payload, or the raw bytes when the payload is not JSON. */
  readonly document: SqlValue;
  readonly newUuid: () => string;
  readonly random: () => number;
  /** The rule's `awsIotSqlVersion`, returned by `sql_version()`. */
  readonly version: SqlVersion;
  /** SET clause variables assigned so far (the SET clause fills it before WHERE and SELECT run). */
  readonly variables: Map<string, SqlValue>;
  readonly mqtt5: Mqtt5Properties;
}
