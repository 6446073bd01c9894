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
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { Aedes, type AedesPublishPacket, type AuthenticateError, type Client, type PublishPacket } from 'aedes';
import type { Logger } from 'pino';
import type { LocalCa } from '../ca/local-ca.ts';
import { maxPayloadBytes } from '../control-plane/data-plane-handler.ts';
import { connectionContext, evaluatePolicies, type PolicyContext } from '../policy/policy-evaluator.ts';
import type { IotRegistry } from '../registry/iot-registry.ts';
import { emitterConcurrency } from './emitter-concurrency.ts';
import { guardFrameSize } from './frame-size-guard.ts';
import { capSubscriptionQos } from './subscription-qos-cap.ts';
import { startTransports, type ConnectionAuth, type Transports } from './transports.ts';
import { connectedEvent, disconnectedEvent, hasPresenceEvents, type DisconnectReason } from './presence-events.ts';
import { createMessageListeners, type BrokerMessage, type MessageListener } from './message-listeners.ts';
import { createPublishGate } from './publish-gate.ts';
import { createRateLimiter, type RateLimiter } from './publish-rate-limiter.ts';
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
  /** AWS IoT's per-connection publish quota; 0 disables the limit (benchmarks). Default 100. */
  readonly maxPublishesPerSecond?: number;
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
  /** The listening ports; reading them before `listen()` throws. */
  readonly mqttPort: number;
  readonly wsPort: number;
  close(): Promise<void>;
}

/** AWS IoT: client ids up to 128 characters. */
const maxClientIdLength = 128;
/** Largest MQTT packet read: the 128 KB payload plus room for the topic (AWS: 256 bytes) and headers. */
const maxFrameBytes = maxPayloadBytes + 4096;

interface Session {
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

export async function createIotBroker(options: IotBrokerOptions): Promise<IotBroker> {
  const { registry, ca, log } = options;
  const bindHost = options.host ?? '127.0.0.1';
  const rate = options.maxPublishesPerSecond ?? 100;
  const arn = (kind: string, name: string) => registry.arn(kind, name);
  const authByConn = new WeakMap<object, ConnectionAuth>();
  const sessions = new WeakMap<Client, Session>();
  const clientsByPrincipal = new Map<string, Set<Client>>();
  const versionByClientId = new Map<string, number>();
  const listeners = createMessageListeners(log);
  const gate = createPublishGate<Client>({
    onNotDurable(client, reason, closing) {
      const session = sessions.get(client);
      if (closing && session) session.disconnectReason = 'SERVER_ERROR';
      log?.error(
        { clientId: client.id, reason },
        closing ? 'iot broker: message not durable; no PUBACK, connection closed' : 'iot broker: message not durable',
      );
    },
  });

  function messageOf(packet: PublishPacket, client: Client | null): BrokerMessage {
    const session = client ? sessions.get(client) : undefined;
    return {
      topic: packet.topic,
      payload: typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload,
      clientId: client?.id ?? '',
      timestamp: Date.now(),
      ...(session ? { principal: session.principalIdentifier } : {}),
      qos: packet.qos >= 1 ? 1 : 0,
    };
  }

  const refuse = (returnCode: number, message: string): AuthenticateError =>
    Object.assign(new Error(message), { returnCode }) as AuthenticateError;

  const broker = await Aedes.createBroker({
    // Not aedes' default 100: see emitter-concurrency.ts (the flood crash of NOTES.md).
    concurrency: emitterConcurrency,
    maxClientsIdLength: maxClientIdLength,
    // AWS IoT supports QoS 0 and 1 only; inbound QoS 2 is refused in authorizePublish. (In aedes
    // 1.2.0 this bounds QoS 2 only; QoS 1 in flight is bounded by the publish gate: aedes reads a
    // client's next packets only once every packet of the current read called back.)
    maxInflightInbound: 100,
    connectTimeout: 10_000,
    authenticate(client, _username, _password, done) {
      void authenticate(client).then(
        (error) => (error ? done(error, false) : done(null, true)),
        (err: unknown) => {
          log?.error({ err, clientId: client.id }, 'iot broker: authentication failed unexpectedly');
          done(refuse(3, 'server unavailable'), false);
        },
      );
    },
    authorizePublish(client, packet, callback) {
      if (!client) return callback(null);
      const refusal = publishRefusal(client, packet);
      if (refusal) {
        const session = sessions.get(client);
        if (session) session.disconnectReason = refusal.reason;
        log?.info({ clientId: client.id, topic: packet.topic, reason: refusal.reason }, `iot broker: publish refused: ${refusal.message}`);
        // aedes closes the connection on an error here, as AWS IoT does on MQTT 3.1.1.
        return callback(new Error(refusal.message));
      }
      // The only point before aedes writes the PUBACK: the rules engine gets the message here.
      gate.admit(client, packet.qos, () => listeners.deliver(messageOf(packet, client)), callback);
    },
    authorizeSubscribe(client, subscription, callback) {
      const session = sessions.get(client);
      const filter = subscription.topic;
      // aedes accepts $share/... but delivers nothing (NOTES.md): refuse it rather than mislead.
      const allowed =
        session !== undefined &&
        !filter.startsWith('$share/') &&
        evaluatePolicies(registry.policyDocumentsOf(session.principal), 'iot:Subscribe', arn('topicfilter', filter), session.context) ===
          'allow';
      if (!allowed) {
        log?.info({ clientId: client.id, filter }, 'iot broker: subscription refused (granted 0x80)');
        return callback(null, null);
      }
      // QoS 2 requests were already lowered to 1 (subscription-qos-cap.ts).
      callback(null, subscription);
    },
    authorizeForward(client, packet) {
      const session = sessions.get(client);
      if (!session) return null;
      if (session.receiveCacheRevision !== registry.revision) {
        session.receiveCache.clear();
        session.receiveCacheRevision = registry.revision;
      }
      let allowed = session.receiveCache.get(packet.topic);
      if (allowed === undefined) {
        allowed =
          evaluatePolicies(registry.policyDocumentsOf(session.principal), 'iot:Receive', arn('topic', packet.topic), session.context) ===
          'allow';
        if (session.receiveCache.size > 1000) session.receiveCache.clear();
        session.receiveCache.set(packet.topic, allowed);
      }
      return allowed ? packet : null;
    },
  });

  async function authenticate(client: Client): Promise<AuthenticateError | undefined> {
    const auth = authByConn.get(client.conn);
    const clientId = client.id;
    if (!auth) return refuse(5, 'connection carries no credentials');
    // aedes checks maxClientsIdLength for MQTT 3.1 only; AWS IoT refuses ids over 128 characters.
    if (clientId.length > maxClientIdLength) return refuse(2, `client id longer than ${maxClientIdLength} characters`);
    let principal: string;
    let principalIdentifier: string;
    let cognitoIdentityId: string | undefined;
    if (auth.kind === 'certificate') {
      const certificate = registry.findCertificate(auth.certificateId);
      if (!certificate || certificate.status !== 'ACTIVE') {
        log?.info(
          { clientId, certificateId: auth.certificateId, status: certificate?.status },
          'iot broker: certificate not ACTIVE, connection refused',
        );
        return refuse(5, 'certificate is not active');
      }
      principal = certificate.certificateArn;
      principalIdentifier = certificate.certificateId;
    } else {
      principal = auth.identityId;
      principalIdentifier = auth.identityId;
      cognitoIdentityId = auth.identityId;
    }
    // AWS: ${iot:Connection.Thing.ThingName} is the thing named like the client id, when it is
    // attached to the connecting principal.
    const thingName = registry.isThingAttachedTo(clientId, principal) ? clientId : undefined;
    const context = connectionContext({
      clientId,
      ...(thingName !== undefined ? { thingName } : {}),
      ...(cognitoIdentityId !== undefined ? { cognitoIdentityId } : {}),
    });
    const decision = evaluatePolicies(registry.policyDocumentsOf(principal), 'iot:Connect', arn('client', clientId), context);
    if (decision !== 'allow') {
      log?.info({ clientId, principal, decision }, 'iot broker: iot:Connect refused');
      return refuse(5, 'not authorized to connect');
    }
    const previous = (broker as unknown as { clients: Record<string, Client | undefined> }).clients[clientId];
    if (previous) {
      // [MQTT-3.1.4-2] aedes disconnects the older connection; AWS reports it this way.
      const previousSession = sessions.get(previous);
      if (previousSession) previousSession.disconnectReason = 'DUPLICATE_CLIENTID';
    }
    const versionNumber = (versionByClientId.get(clientId) ?? 0) + 1;
    versionByClientId.set(clientId, versionNumber);
    sessions.set(client, {
      principal,
      principalIdentifier,
      context,
      sessionIdentifier: randomUUID(),
      ipAddress: auth.ipAddress,
      ...(rate > 0 ? { limiter: createRateLimiter(rate, Date.now()) } : {}),
      versionNumber,
      announced: false,
      receiveCache: new Map(),
      receiveCacheRevision: registry.revision,
    });
    let set = clientsByPrincipal.get(principal);
    if (!set) clientsByPrincipal.set(principal, (set = new Set()));
    set.add(client);
    return undefined;
  }

  function publishRefusal(client: Client, packet: PublishPacket): { reason: DisconnectReason; message: string } | undefined {
    const session = sessions.get(client);
    if (!session) return { reason: 'AUTH_ERROR', message: 'no authenticated session' };
    // Reserved topics ($aws/..., and $SYS here) are published by the service only.
    if (packet.topic.startsWith('$')) return { reason: 'AUTH_ERROR', message: `${packet.topic} is a reserved topic` };
    if (packet.qos > 1) return { reason: 'CLIENT_ERROR', message: 'AWS IoT does not support QoS 2' };
    const size = typeof packet.payload === 'string' ? Buffer.byteLength(packet.payload) : packet.payload.length;
    if (size > maxPayloadBytes) return { reason: 'CLIENT_ERROR', message: `payload of ${size} bytes exceeds ${maxPayloadBytes}` };
    if (session.limiter && !session.limiter.tryTake(Date.now())) {
      return { reason: 'THROTTLED', message: `more than ${rate} publishes per second on this connection` };
    }
    const decision = evaluatePolicies(
      registry.policyDocumentsOf(session.principal),
      'iot:Publish',
      arn('topic', packet.topic),
      session.context,
    );
    if (decision !== 'allow') return { reason: 'AUTH_ERROR', message: `iot:Publish on ${packet.topic}: ${decision}` };
    return undefined;
  }

  /** Hands a connection to aedes with the packet-size cap on its parser. */
  function handle(stream: Duplex, req?: IncomingMessage): void {
    const client = req ? broker.handle(stream, req) : broker.handle(stream);
    const guarded = guardFrameSize(client, maxFrameBytes, (announced) => {
      const session = sessions.get(client);
      if (session) session.disconnectReason = 'CLIENT_ERROR';
      log?.info({ clientId: client.id, announced }, 'iot broker: packet larger than AWS IoT allows, connection closed');
      client.close();
    });
    if (!guarded) log?.warn('iot broker: aedes parser shape changed; the packet-size cap is inactive');
    if (!capSubscriptionQos(client, 1)) log?.warn('iot broker: aedes parser shape changed; QoS 2 subscriptions are not lowered');
  }

  function publishInternal(topic: string, payload: Buffer, qos: 0 | 1): Promise<void> {
    return new Promise((resolve, reject) => {
      broker.publish({ cmd: 'publish', topic, payload, qos, retain: false, dup: false }, (err) => (err ? reject(err) : resolve()));
    });
  }

  broker.on('clientReady', (client) => {
    const session = sessions.get(client);
    if (!session) return;
    session.announced = true;
    if (!hasPresenceEvents(client.id)) return;
    const event = connectedEvent({ clientId: client.id, ...session }, Date.now());
    publishInternal(event.topic, event.payload, 1).catch((err: unknown) => log?.warn({ err }, 'iot broker: presence event failed'));
  });
  broker.on('keepaliveTimeout', (client) => {
    const session = sessions.get(client);
    if (session) session.disconnectReason ??= 'MQTT_KEEP_ALIVE_TIMEOUT';
  });
  broker.on('clientError', (client, err) => {
    const session = sessions.get(client);
    const systemError = (err as NodeJS.ErrnoException).code !== undefined;
    if (session) session.disconnectReason ??= systemError ? 'CONNECTION_LOST' : 'CLIENT_ERROR';
    log?.debug({ clientId: client.id, err: err.message }, 'iot broker: client error');
  });
  broker.on('connectionError', (client, err) => {
    log?.debug({ clientId: client.id, err: err.message }, 'iot broker: connection error before CONNECT');
  });
  broker.on('clientDisconnect', (client) => {
    const session = sessions.get(client);
    if (!session) return;
    clientsByPrincipal.get(session.principal)?.delete(client);
    if (!session.announced || !hasPresenceEvents(client.id)) return;
    const clean = (client as unknown as { _disconnected?: boolean })._disconnected === true;
    const reason = session.disconnectReason ?? (clean ? 'CLIENT_INITIATED_DISCONNECT' : 'CONNECTION_LOST');
    const event = disconnectedEvent({ clientId: client.id, ...session }, reason, Date.now());
    publishInternal(event.topic, event.payload, 1).catch((err: unknown) => log?.warn({ err }, 'iot broker: presence event failed'));
  });
  // Messages of clients (wills included: aedes authorizes them too) reached the listeners in
  // authorizePublish. Those the service publishes itself (lifecycle events, republish, data-plane
  // Publish) never pass there: they reach the listeners here, exactly once, and the publisher's
  // promise settles with their outcome.
  broker.published = (packet: AedesPublishPacket, client: Client | null, done: (err?: Error | null) => void) => {
    if (client || packet.topic.startsWith('$SYS/')) return done(null);
    void listeners.deliver(messageOf(packet, null)).then((outcome) => done(outcome.durable ? null : new Error(outcome.reason)));
  };

  // A certificate made INACTIVE or REVOKED (or deleted) loses its live connections too.
  registry.onCertificateChange((certificateArn, status) => {
    if (status === 'ACTIVE') return;
    for (const client of clientsByPrincipal.get(certificateArn) ?? []) {
      const session = sessions.get(client);
      if (session) session.disconnectReason = 'AUTH_ERROR';
      log?.info({ clientId: client.id, certificateArn, status }, 'iot broker: closing connection of a certificate no longer active');
      client.close();
    }
  });

  let transports: Transports | undefined;
  let closing: Promise<void> | undefined;
  const listening = (): Transports => {
    if (!transports) throw new Error('the IoT broker is not listening yet: call listen() once its message listener is attached');
    return transports;
  };

  return {
    onMessage(listener) {
      listeners.add(listener);
    },
    async listen() {
      if (closing) throw new Error('the IoT broker is closed');
      if (listeners.size === 0) {
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
          authByConn.set(stream, auth);
          handle(stream, req);
        },
      });
      const { mqttPort, wsPort } = transports;
      log?.info({ mqttPort, wsPort, host: bindHost }, 'iot broker listening (MQTT/mTLS, MQTT/WebSocket)');
      return { mqttPort, wsPort };
    },
    publish(topic, payload, qos) {
      return publishInternal(topic, typeof payload === 'string' ? Buffer.from(payload) : payload, qos);
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
