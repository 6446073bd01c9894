/**
 * Connection lifecycle: the connected and disconnected events AWS IoT publishes on
 * `$aws/events/presence/...` (https://docs.aws.amazon.com/iot/latest/developerguide/life-cycle-events.html),
 * with the disconnect reason each aedes event stands for, and the closing of every connection of
 * a certificate that stops being ACTIVE (made INACTIVE, REVOKED or deleted).
 */
import type { Aedes, Client } from 'aedes';
import { noteDisconnectReason, type BrokerState } from '../broker-state.ts';
import { connectedEvent, disconnectedEvent, hasPresenceEvents, type PresenceEvent } from '../presence-events.ts';
import { publishAsService } from './service-publish.ts';

/** Subscribes the lifecycle handlers to aedes' events and to the registry's certificate changes. */
export function watchLifecycle(state: BrokerState, aedes: Aedes): void {
  aedes.on('clientReady', (client) => clientReady(state, client));
  aedes.on('keepaliveTimeout', (client) => noteDisconnectReason(state, client, 'MQTT_KEEP_ALIVE_TIMEOUT', false));
  aedes.on('clientError', (client, err) => {
    const systemError = (err as NodeJS.ErrnoException).code !== undefined;
    noteDisconnectReason(state, client, systemError ? 'CONNECTION_LOST' : 'CLIENT_ERROR', false);
    state.log?.debug({ clientId: client.id, err: err.message }, 'iot broker: client error');
  });
  aedes.on('connectionError', (client, err) => {
    state.log?.debug({ clientId: client.id, err: err.message }, 'iot broker: connection error before CONNECT');
  });
  aedes.on('clientDisconnect', (client) => clientDisconnect(state, client));
  state.registry.onCertificateChange((certificateArn, status) => {
    if (status !== 'ACTIVE') closeConnectionsOf(state, certificateArn, status);
  });
}

/** CONNACK sent: the connection is announced. */
export function clientReady(state: BrokerState, client: Client): void {
  const session = state.sessions.get(client);
  if (!session) return;
  session.announced = true;
  if (hasPresenceEvents(client.id)) announce(state, connectedEvent({ clientId: client.id, ...session }, Date.now()));
}

/** The connection ended: forget it, and announce it with its reason if its connection was announced. */
export function clientDisconnect(state: BrokerState, client: Client): void {
  const session = state.sessions.get(client);
  if (!session) return;
  state.clientsByPrincipal.get(session.principal)?.delete(client);
  if (!session.announced || !hasPresenceEvents(client.id)) return;
  // aedes marks a connection ended by the client's DISCONNECT packet.
  const clean = (client as unknown as { _disconnected?: boolean })._disconnected === true;
  const reason = session.disconnectReason ?? (clean ? 'CLIENT_INITIATED_DISCONNECT' : 'CONNECTION_LOST');
  announce(state, disconnectedEvent({ clientId: client.id, ...session }, reason, Date.now()));
}

/** Closes every live connection of a principal whose certificate is no longer ACTIVE (AUTH_ERROR). */
export function closeConnectionsOf(state: BrokerState, certificateArn: string, status: string): void {
  for (const client of state.clientsByPrincipal.get(certificateArn) ?? []) {
    noteDisconnectReason(state, client, 'AUTH_ERROR');
    state.log?.info({ clientId: client.id, certificateArn, status }, 'iot broker: closing connection of a certificate no longer active');
    client.close();
  }
}

function announce(state: BrokerState, event: PresenceEvent): void {
  publishAsService(state, event.topic, event.payload, 1).catch((err: unknown) =>
    state.log?.warn({ err }, 'iot broker: presence event failed'),
  );
}
