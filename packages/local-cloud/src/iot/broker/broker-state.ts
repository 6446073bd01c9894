/**
 * The state of the IoT Core broker stand-in, shared by its handlers (`handlers/*`: one module per
 * aedes hook or event group, as aedes' own `lib/handlers/*` share the broker object): the
 * authenticated session of each connection, the connections of each principal (closed when its
 * certificate stops being ACTIVE), the message listeners and the PUBACK gate in front of them.
 */
import type { Aedes, Client, PublishPacket } from 'aedes';
import type { Logger } from 'pino';
import { maxPayloadBytes } from '../control-plane/data-plane-handler.ts';
import type { PolicyContext } from '../policy/policy-evaluator.ts';
import type { IotRegistry } from '../registry/iot-registry.ts';
import { createMessageListeners, type BrokerMessage, type MessageListeners } from './message-listeners.ts';
import type { DisconnectReason } from './presence-events.ts';
import { createPublishGate, type PublishGate } from './publish-gate.ts';
import type { RateLimiter } from './publish-rate-limiter.ts';
import type { ConnectionAuth } from './transports.ts';

/** AWS IoT: client ids up to 128 characters. */
export const maxClientIdLength = 128;
/** Largest MQTT packet read: the 128 KB payload plus room for the topic (AWS: 256 bytes) and headers. */
export const maxFrameBytes = maxPayloadBytes + 4096;

/** What CONNECT established for one connection. */
export interface Session {
  readonly principal: string;
  readonly principalIdentifier: string;
  readonly context: PolicyContext;
  readonly sessionIdentifier: string;
  readonly ipAddress: string;
  readonly limiter?: RateLimiter;
  versionNumber: number;
  announced: boolean;
  disconnectReason?: DisconnectReason;
  /** Receive decisions by topic, valid for one registry revision. */
  receiveCache: Map<string, boolean>;
  receiveCacheRevision: number;
}

export interface BrokerState {
  readonly registry: IotRegistry;
  readonly log?: Logger;
  /** AWS IoT's per-connection publish quota; 0 = no limit. */
  readonly maxPublishesPerSecond: number;
  /** What authenticated each transport connection (set by the transports before aedes reads CONNECT). */
  readonly authByConn: WeakMap<object, ConnectionAuth>;
  readonly sessions: WeakMap<Client, Session>;
  readonly clientsByPrincipal: Map<string, Set<Client>>;
  /** Per client id, the number of its last connection (`versionNumber` of the lifecycle events). */
  readonly versionByClientId: Map<string, number>;
  readonly listeners: MessageListeners;
  readonly gate: PublishGate<Client>;
  /**
   * Packets handed to aedes after the listeners already made them durable (HTTPS publishes,
   * handlers/service-publish.ts): aedes' `published` hook must not deliver them a second time.
   */
  readonly deliveredToListeners: WeakSet<object>;
  /** The aedes instance, once created (its hooks run only after). */
  aedes?: Aedes;
}

export interface BrokerStateOptions {
  readonly registry: IotRegistry;
  readonly log?: Logger;
  readonly maxPublishesPerSecond: number;
}

export function createBrokerState(options: BrokerStateOptions): BrokerState {
  const { log } = options;
  const sessions = new WeakMap<Client, Session>();
  return {
    registry: options.registry,
    ...(log ? { log } : {}),
    maxPublishesPerSecond: options.maxPublishesPerSecond,
    authByConn: new WeakMap(),
    sessions,
    clientsByPrincipal: new Map(),
    versionByClientId: new Map(),
    listeners: createMessageListeners(log),
    deliveredToListeners: new WeakSet(),
    gate: createPublishGate<Client>({
      onNotDurable(client, reason, closing) {
        const session = sessions.get(client);
        if (closing && session) session.disconnectReason = 'SERVER_ERROR';
        log?.error(
          { clientId: client.id, reason },
          closing ? 'iot broker: message not durable; no PUBACK, connection closed' : 'iot broker: message not durable',
        );
      },
    }),
  };
}

/** What the listeners see of a publish: of a client (with its principal), or of the service (`client` null). */
export function messageOf(state: BrokerState, packet: PublishPacket, client: Client | null): BrokerMessage {
  const session = client ? state.sessions.get(client) : undefined;
  return {
    topic: packet.topic,
    payload: typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload,
    clientId: client?.id ?? '',
    timestamp: Date.now(),
    ...(session ? { principal: session.principalIdentifier } : {}),
    qos: packet.qos >= 1 ? 1 : 0,
  };
}

/** Records why a connection ends, for its disconnected lifecycle event; the first reason wins unless `override`. */
export function noteDisconnectReason(state: BrokerState, client: Client, reason: DisconnectReason, override = true): void {
  const session = state.sessions.get(client);
  if (!session) return;
  if (override) session.disconnectReason = reason;
  else session.disconnectReason ??= reason;
}
