/** A message as the rules engine receives it from the broker. */
export interface IotMessage {
  readonly topic: string;
  readonly payload: Uint8Array;
  readonly clientId: string;
  /** Broker receive time, epoch milliseconds; `timestamp()` returns it. */
  readonly timestamp: number;
  /** Certificate thumbprint or identity id; `principal()` returns it. */
  readonly principal?: string;
  /** MQTT trace id; `traceid()` returns it. */
  readonly traceId?: string;
}

/** Overrides for values AWS generates, so that tests and replays can be deterministic. */
export interface EvaluateOptions {
  /** `newuuid()`; default `crypto.randomUUID()`. */
  readonly newUuid?: () => string;
  /** `rand()`; default `Math.random`. */
  readonly random?: () => number;
  /** `accountid()`; default the local cloud's `000000000000`. */
  readonly accountId?: string;
}
