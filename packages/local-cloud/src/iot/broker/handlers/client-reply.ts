/**
 * Replies the service sends to one client only: AWS IoT Jobs publishes the answer to a device's
 * request "to the client that published the command message, whether or not your client has
 * subscribed to the response message topics. These response messages don't pass through the
 * message broker and can't be subscribed to by other clients or rules"
 * (https://docs.aws.amazon.com/iot/latest/developerguide/jobs-mqtt-api.html). So the reply is
 * written to that connection alone (aedes' `Client.publish`), still subject to `iot:Receive`
 * (authorizeForward), and never reaches the listeners.
 */
import type { Client } from 'aedes';
import type { BrokerState } from '../broker-state.ts';

/** Sends a message to the connected client with this id; answers false when it is not connected. */
export function replyToClient(state: BrokerState, clientId: string, topic: string, payload: Buffer, qos: 0 | 1): Promise<boolean> {
  // aedes keeps its connected clients by id (not in its type definitions).
  const client = (state.aedes as unknown as { clients?: Record<string, Client | undefined> } | undefined)?.clients?.[clientId];
  if (!client || client.closed) return Promise.resolve(false);
  return new Promise((resolve) => {
    client.publish({ cmd: 'publish', topic, payload, qos, retain: false, dup: false }, (err) => resolve(!err));
  });
}
