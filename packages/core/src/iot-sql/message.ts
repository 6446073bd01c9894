import type { SqlValue } from './values.ts';

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
  /** MQTT 5 properties of the PUBLISH, for `get_mqtt_property()` and `get_user_properties()`. */
  readonly mqtt5?: Mqtt5Properties;
}

/** The MQTT 5 PUBLISH properties a rule can read (MQTT 5.0 §3.3.2.3). */
export interface Mqtt5Properties {
  /** Payload Format Indicator: 0 unspecified bytes, 1 UTF-8 data. */
  readonly payloadFormatIndicator?: 0 | 1;
  readonly contentType?: string;
  readonly responseTopic?: string;
  readonly correlationData?: Uint8Array;
  /** User properties in the order they were sent; a key may repeat. */
  readonly userProperties?: readonly (readonly [string, string])[];
}

/** Overrides for values AWS generates, so that tests and replays can be deterministic. */
export interface EvaluateOptions {
  /** `newuuid()`; default `crypto.randomUUID()`. */
  readonly newUuid?: () => string;
  /** `rand()`; default `Math.random`. */
  readonly random?: () => number;
  /** `accountid()`; default the local cloud's `000000000000`. */
  readonly accountId?: string;
  /**
   * The SET clause's variables, for substitution templates: pass the `variables` of the rule's
   * evaluation so that `${@name}` in an action sees them, as AWS does.
   */
  readonly variables?: Readonly<Record<string, SqlValue>>;
}
