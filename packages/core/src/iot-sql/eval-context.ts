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
}
