/**
 * The IoT Core message broker stand-in: aedes behind
 * - MQTT 3.1.1 over TLS with mutual authentication (client certificate issued by the local CA,
 *   ACTIVE in the registry), and
 * - MQTT over WebSocket at `/mqtt`, authenticated by a SigV4-presigned URL (a Cognito identity),
 * with AWS IoT policies evaluated on CONNECT, PUBLISH, SUBSCRIBE and delivery, AWS IoT's limits,
 * lifecycle events and a hook for the rules engine.
 *
 * Creating the broker does not open its ports: `listen()` does, and refuses to before a message
 * listener is attached, so that no device gets a PUBACK for a message nobody processes (a device
 * reconnecting during a restart would otherwise be acknowledged and its message dropped).
 *
 * Sessions live in aedes' in-memory persistence: persistent sessions and queued QoS 1 messages do
 * not survive a broker restart (the registry, CA and policies do).
 *
 * This file composes: the state lives in broker-state.ts and each aedes hook or event group is a
 * module of `handlers/` taking it (authenticate, authorize-publish, authorize-subscribe, forward,
 * service-publish, lifecycle).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { Aedes } from 'aedes';
import { iotQuotas } from '@fleet/core';
import type { Logger } from 'pino';
import type { LocalCa } from '../ca/local-ca.ts';
import type { IotRegistry } from '../registry/iot-registry.ts';
import { createBrokerState, maxClientIdLength, maxFrameBytes, noteDisconnectReason } from './broker-state.ts';
import { emitterConcurrency } from './emitter-concurrency.ts';
import { guardFrameSize } from './frame-size-guard.ts';
import { authenticateHook } from './handlers/authenticate.ts';
import { authorizePublish } from './handlers/authorize-publish.ts';
import { authorizeSubscribe } from './handlers/authorize-subscribe.ts';
import { authorizeForward } from './handlers/forward.ts';
import { watchLifecycle } from './handlers/lifecycle.ts';
import { replyToClient } from './handlers/client-reply.ts';
import { published, publishAsService, publishAuthorized } from './handlers/service-publish.ts';
import type { BrokerMessage, MessageListener } from './message-listeners.ts';
import type { MessageOutcome } from './publish-gate.ts';
import { capSubscriptionQos } from './subscription-qos-cap.ts';
import { startTransports, type Transports } from './transports.ts';
import type { ResolveCredentials } from './sigv4-presigned-url.ts';

export type { MessageOutcome } from './publish-gate.ts';
export type { BrokerMessage, MessageListener } from './message-listeners.ts';

export interface IotBrokerOptions {
  readonly registry: IotRegistry;
  readonly ca: LocalCa;
  /** Address to listen on; 127.0.0.1 by default. */
  readonly host?: string;
  /** MQTT over mutual TLS; 0 = ephemeral. */
  readonly mqttPort: number;
  /** MQTT over WebSocket (plain ws locally); 0 = ephemeral. */
  readonly wsPort: number;
  readonly resolveCredentials: ResolveCredentials;
  readonly log?: Logger;
  /** AWS IoT's per-connection publish quota; 0 disables the limit (benchmarks). @default iotQuotas.publishesPerSecondPerConnection */
  readonly maxPublishesPerSecond?: number;
  /**
   * The stand-in's own services that answer device requests (IoT Jobs): listeners from the start,
   * which do not count as the listener `listen()` waits for (the rules engine).
   */
  readonly serviceListeners?: readonly MessageListener[];
}

export interface IotBroker {
  onMessage(listener: MessageListener): void;
  /**
   * Opens the MQTT/TLS and WebSocket ports.
   * @throws Error when no message listener is attached yet.
   */
  listen(): Promise<{ readonly mqttPort: number; readonly wsPort: number }>;
  /** Publishes as the service; resolves once the listeners made the message durable. */
  publish(topic: string, payload: Buffer | string, qos: 0 | 1): Promise<void>;
  /**
   * A device's publish authorized outside MQTT (HTTPS publish): to the listeners, then, once they
   * made it durable, to the subscribers. Resolves with whether it is durable.
   */
  publishAuthorized(message: BrokerMessage): Promise<MessageOutcome>;
  /** Sends a reply to one connected client only, past the listeners (handlers/client-reply.ts); false when it is gone. */
  replyTo(clientId: string, topic: string, payload: Buffer | string, qos: 0 | 1): Promise<boolean>;
  /** The listening ports; reading them before `listen()` throws. */
  readonly mqttPort: number;
  readonly wsPort: number;
  close(): Promise<void>;
}

export async function createIotBroker(options: IotBrokerOptions): Promise<IotBroker> {
  const { ca, log } = options;
  const bindHost = options.host ?? '127.0.0.1';
  const state = createBrokerState({
    registry: options.registry,
    ...(log ? { log } : {}),
    maxPublishesPerSecond: options.maxPublishesPerSecond ?? iotQuotas.publishesPerSecondPerConnection,
  });
  const broker = await Aedes.createBroker({
    // Not aedes' default 100: see emitter-concurrency.ts (the flood crash of NOTES.md).
    concurrency: emitterConcurrency,
    maxClientsIdLength: maxClientIdLength,
    // AWS IoT supports QoS 0 and 1 only; inbound QoS 2 is refused in authorizePublish. (In aedes
    // 1.2.0 this bounds QoS 2 only; QoS 1 in flight is bounded by the publish gate: aedes reads a
    // client's next packets only once every packet of the current read called back.)
    maxInflightInbound: 100,
    connectTimeout: 10_000,
    authenticate: authenticateHook(state),
    authorizePublish: (client, packet, callback) => authorizePublish(state, client, packet, callback),
    authorizeSubscribe: (client, subscription, callback) => authorizeSubscribe(state, client, subscription, callback),
    authorizeForward: (client, packet) => authorizeForward(state, client, packet),
  });
  state.aedes = broker;
  for (const listener of options.serviceListeners ?? []) state.listeners.add(listener);
  let attachedListeners = 0;
  broker.published = (packet, client, done) => published(state, packet, client, done);
  watchLifecycle(state, broker);

  /** Hands a connection to aedes with the packet-size cap on its parser. */
  function handle(stream: Duplex, req?: IncomingMessage): void {
    const client = req ? broker.handle(stream, req) : broker.handle(stream);
    const guarded = guardFrameSize(client, maxFrameBytes, (announced) => {
      noteDisconnectReason(state, client, 'CLIENT_ERROR');
      log?.info({ clientId: client.id, announced }, 'iot broker: packet larger than AWS IoT allows, connection closed');
      client.close();
    });
    if (!guarded) log?.warn('iot broker: aedes parser shape changed; the packet-size cap is inactive');
    if (!capSubscriptionQos(client, 1)) log?.warn('iot broker: aedes parser shape changed; QoS 2 subscriptions are not lowered');
  }

  let transports: Transports | undefined;
  let closing: Promise<void> | undefined;
  const listening = (): Transports => {
    if (!transports) throw new Error('the IoT broker is not listening yet: call listen() once its message listener is attached');
    return transports;
  };

  return {
    onMessage(listener) {
      attachedListeners += 1;
      state.listeners.add(listener);
    },
    async listen() {
      if (closing) throw new Error('the IoT broker is closed');
      if (attachedListeners === 0) {
        throw new Error(
          'attach a message listener (the rules engine) before listening: a message accepted earlier would be acknowledged and lost',
        );
      }
      transports ??= await startTransports({
        ca,
        host: bindHost,
        mqttPort: options.mqttPort,
        wsPort: options.wsPort,
        resolveCredentials: options.resolveCredentials,
        ...(log ? { log } : {}),
        onConnection(stream, auth, req) {
          state.authByConn.set(stream, auth);
          handle(stream, req);
        },
      });
      const { mqttPort, wsPort } = transports;
      log?.info({ mqttPort, wsPort, host: bindHost }, 'iot broker listening (MQTT/mTLS, MQTT/WebSocket)');
      return { mqttPort, wsPort };
    },
    publish(topic, payload, qos) {
      return publishAsService(state, topic, typeof payload === 'string' ? Buffer.from(payload) : payload, qos);
    },
    publishAuthorized: (message) => publishAuthorized(state, message),
    replyTo(clientId, topic, payload, qos) {
      return replyToClient(state, clientId, topic, typeof payload === 'string' ? Buffer.from(payload) : payload, qos);
    },
    get mqttPort() {
      return listening().mqttPort;
    },
    get wsPort() {
      return listening().wsPort;
    },
    close() {
      // Ports first: no new connection while aedes closes the current ones. Idempotent.
      closing ??= (async () => {
        await transports?.close();
        await new Promise<void>((resolve) => broker.close(() => resolve()));
      })();
      return closing;
    },
  };
}
