/**
 * Holds a client's PUBACK until its message is durable.
 *
 * aedes 1.2.0 handles a PUBLISH as `authorizePublish` → `enqueuePublish`, and for QoS 1
 * `enqueuePublish` writes the PUBACK *before* it calls `broker.publish` (its
 * `lib/handlers/publish.js`): nothing after `authorizePublish` can delay the acknowledgement. So
 * the message is handed to the listeners (the rules engine) from `authorizePublish`, and aedes'
 * callback is called only once they answered that the message is durable.
 *
 * - Flow control: aedes reads a client's next chunk of packets only when every packet of the
 *   current chunk called back, so a slow engine slows each publisher (TCP backpressure) instead
 *   of growing memory; the engine's own `maxInFlight` bounds the work across clients.
 * - Order: callbacks are released in the order the client's PUBLISHes arrived, because
 *   [MQTT-4.6.0-2] a server sends PUBACKs in the order it received the PUBLISH packets.
 * - Failure: a message that could not be made durable (its action and its error action failed)
 *   is refused with an error; aedes then closes the connection without a PUBACK and the device
 *   retransmits it after reconnecting. That is what AWS IoT does on MQTT 3.1.1, which has no
 *   negative acknowledgement: it disconnects the client (lifecycle event `SERVER_ERROR`,
 *   https://docs.aws.amazon.com/iot/latest/developerguide/life-cycle-events.html). Once a message
 *   of a connection failed, the later ones in flight are refused too, so no PUBACK overtakes the
 *   missing one. A QoS 0 message is never acknowledged anyway: its failure is logged, not fatal.
 */

/** What the listeners answered for one message. */
export type MessageOutcome = { readonly durable: true } | { readonly durable: false; readonly reason: string };

export const durable: MessageOutcome = { durable: true };

export interface PublishGate<Client extends object> {
  /**
   * Starts processing `message` now and calls `callback` (aedes' `authorizePublish` callback) once
   * it is durable and every earlier message of `client` was released.
   */
  admit(client: Client, qos: number, process: () => Promise<MessageOutcome>, callback: (err: Error | null) => void): void;
}

export function createPublishGate<Client extends object>(deps: {
  /** A message that is not durable; `closing` when its connection is closed for it (QoS 1). */
  readonly onNotDurable: (client: Client, reason: string, closing: boolean) => void;
}): PublishGate<Client> {
  /** Per connection: the release of its last admitted message, and whether one already failed. */
  const lanes = new WeakMap<Client, { tail: Promise<void>; failed: boolean }>();

  return {
    admit(client, qos, process, callback) {
      // Started at once: the packets of one read chunk are processed concurrently.
      const outcome = process().catch((err: unknown): MessageOutcome => ({
        durable: false,
        reason: err instanceof Error ? err.message : String(err),
      }));
      let lane = lanes.get(client);
      if (!lane) lanes.set(client, (lane = { tail: Promise.resolve(), failed: false }));
      const own = lane;
      own.tail = Promise.all([own.tail, outcome]).then(([, result]) => {
        if (!result.durable) {
          deps.onNotDurable(client, result.reason, qos > 0 && !own.failed);
          if (qos > 0) own.failed = true;
        }
        if (!own.failed) return callback(null);
        callback(
          new Error(result.durable ? 'an earlier message of this connection was not acknowledged' : `not acknowledged: ${result.reason}`),
        );
      });
    },
  };
}
