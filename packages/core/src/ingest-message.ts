/**
 * The bodies the IoT rules put on the ingest queue (see `rules.ts`): what the Data Service consumes.
 */

/** Output of `telemetryIngestRule`. */
export interface TelemetryIngestMessage {
  readonly kind: 'telemetry';
  /** The device's MQTT payload, base64-encoded, unparsed. */
  readonly payload: string;
  readonly deviceId: string;
  readonly clientId: string;
  /** Broker receive time, epoch milliseconds. */
  readonly receivedAt: number;
  readonly messageId: string;
}

/** Output of `presenceRule`: an AWS IoT lifecycle event. */
export interface PresenceIngestMessage {
  readonly kind: 'presence';
  readonly eventType: 'connected' | 'disconnected';
  readonly clientId: string;
  /** Epoch milliseconds. */
  readonly timestamp: number;
  /**
   * AWS: "a monotonically increasing long integer value for each client ID connection": the connected and
   * disconnected events of one connection share it. Orders events of the same millisecond.
   */
  readonly versionNumber?: number;
  readonly disconnectReason?: string;
}

export type IngestMessage = TelemetryIngestMessage | PresenceIngestMessage;
