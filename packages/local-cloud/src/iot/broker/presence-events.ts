/**
 * AWS IoT lifecycle events (https://docs.aws.amazon.com/iot/latest/developerguide/life-cycle-events.html):
 * `$aws/events/presence/connected/<clientId>` and `.../disconnected/<clientId>`, with AWS's JSON shape.
 */
import { topics } from '@fleet/core';

/** AWS's disconnect reasons (the subset this broker can tell apart). */
export type DisconnectReason =
  | 'AUTH_ERROR'
  | 'CLIENT_INITIATED_DISCONNECT'
  | 'CLIENT_ERROR'
  | 'CONNECTION_LOST'
  | 'DUPLICATE_CLIENTID'
  | 'FORBIDDEN_ACCESS'
  | 'MQTT_KEEP_ALIVE_TIMEOUT'
  | 'SERVER_ERROR'
  | 'SERVER_INITIATED_DISCONNECT'
  | 'THROTTLED';

export interface PresenceConnection {
  readonly clientId: string;
  readonly sessionIdentifier: string;
  readonly principalIdentifier: string;
  readonly ipAddress: string;
  readonly versionNumber: number;
}

export interface PresenceEvent {
  readonly topic: string;
  readonly payload: Buffer;
}

/** AWS: client ids containing `#` or `+` do not produce lifecycle events. */
export function hasPresenceEvents(clientId: string): boolean {
  return !clientId.includes('#') && !clientId.includes('+');
}

export function connectedEvent(connection: PresenceConnection, timestamp: number): PresenceEvent {
  return {
    topic: topics.presenceConnected(connection.clientId),
    payload: Buffer.from(
      JSON.stringify({
        clientId: connection.clientId,
        timestamp,
        eventType: 'connected',
        sessionIdentifier: connection.sessionIdentifier,
        principalIdentifier: connection.principalIdentifier,
        ipAddress: connection.ipAddress,
        versionNumber: connection.versionNumber,
      }),
    ),
  };
}

export function disconnectedEvent(connection: PresenceConnection, reason: DisconnectReason, timestamp: number): PresenceEvent {
  return {
    topic: topics.presenceDisconnected(connection.clientId),
    payload: Buffer.from(
      JSON.stringify({
        clientId: connection.clientId,
        timestamp,
        eventType: 'disconnected',
        clientInitiatedDisconnect: reason === 'CLIENT_INITIATED_DISCONNECT',
        sessionIdentifier: connection.sessionIdentifier,
        principalIdentifier: connection.principalIdentifier,
        disconnectReason: reason,
        ipAddress: connection.ipAddress,
        versionNumber: connection.versionNumber,
      }),
    ),
  };
}
