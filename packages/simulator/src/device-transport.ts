/**
 * What carries a simulated device's readings to IoT Core: MQTT QoS 1 (`mqtt-publisher.ts`) or
 * AWS IoT's HTTPS publish (`https-publisher.ts`). The device publisher (`device-publisher.ts`)
 * sends from its outbox through one of these and needs only this much of it.
 */

export interface DeviceTransport {
  /**
   * Whether a publish may be attempted now: MQTT, while the connection is up; HTTPS, unless the
   * last request found no endpoint (the device is offline) or was throttled (it backs off).
   */
  readonly connected: boolean;
  /** Calls `listener` whenever `connected` may have become true. */
  onConnect(listener: () => void): void;
  /**
   * Sends one message. Resolves on its acknowledgement (PUBACK, HTTP 200); rejects when it was not
   * acknowledged: with `PublishRefusedError` when sending it again cannot help, otherwise it is
   * sent again once the transport is connected.
   */
  publish(topic: string, payload: string): Promise<void>;
  /** Closes it; publishes not answered by then may never settle. */
  close(): Promise<void>;
}

/** IoT Core refused the message for good (HTTPS 403: the policy does not allow it). */
export class PublishRefusedError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'PublishRefusedError';
  }
}
