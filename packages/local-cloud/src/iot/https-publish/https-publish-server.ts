/**
 * AWS IoT Core's HTTPS publish on the data endpoint (AWS: port 8443): a device POSTs
 * `/topics/<topic>?qos=0|1` with its X.509 certificate (mutual TLS) and the payload as the body
 * (https://docs.aws.amazon.com/iot/latest/developerguide/http.html). The TLS handshake refuses a
 * certificate the local CA did not issue, with the MQTT/TLS listener's server certificate; each
 * request is then authorized as an MQTT PUBLISH is (handlers/authorize-publish.ts): the
 * certificate must be ACTIVE, a reserved topic must be a service's request topic
 * (broker/reserved-topics.ts), the payload at most 128 KB, the certificate within AWS IoT's 100
 * publishes per second, and its policies must allow `iot:Publish` on `topic/<topic>`.
 *
 * Policy variables, as AWS IoT resolves them for an HTTPS request: HTTPS has no client id ("HTTPS
 * doesn't support a clientId value like MQTT does"), so `${iot:ClientId}` never resolves and no
 * `iot:Connect` is evaluated; the thing variables (`${iot:Connection.Thing.ThingName}`,
 * `...ThingTypeName`, `...Attributes[...]`, `...IsAttached`) are "only available when a device
 * connects over MQTT or MQTT over the WebSocket protocol"
 * (https://docs.aws.amazon.com/iot/latest/developerguide/thing-policy-variables.html), so they do
 * not resolve either, and a statement using one matches nothing. The X.509 certificate variables
 * (`${iot:Certificate.Subject.CommonName}`, ...) do resolve, from the client certificate
 * (policy/certificate-variables.ts): Fleet's device policy allows HTTPS publish of a device's
 * telemetry through them, for a certificate whose common name is the device id.
 *
 * An authorized message takes the path of an MQTT publish: the listeners (the rules engine) make
 * it durable, then subscribers receive it; 200 `{"message":"OK","traceId"}` answers only a
 * durable message, as the publish gate holds a PUBACK (broker/publish-gate.ts). A message the
 * rules engine could not make durable answers 503, which the device retries.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import { iotHttpsPublishMessages, type IotHttpsPublishAnswer, type IotHttpsPublishStatus } from '@fleet/core';
import type { LocalCa } from '../ca/local-ca.ts';
import { maxPayloadBytes } from '../control-plane/data-plane-handler.ts';
import type { IotBroker } from '../broker/iot-broker.ts';
import { createRateLimiter, type RateLimiter } from '../broker/publish-rate-limiter.ts';
import { clientMayPublishReserved } from '../broker/reserved-topics.ts';
import { certificateVariables } from '../policy/certificate-variables.ts';
import { evaluatePolicies } from '../policy/policy-evaluator.ts';
import type { IotRegistry } from '../registry/iot-registry.ts';
import { parsePublishRequest } from './publish-request.ts';

export interface HttpsPublishOptions {
  readonly ca: LocalCa;
  readonly registry: IotRegistry;
  readonly broker: Pick<IotBroker, 'publishAuthorized'>;
  readonly host: string;
  /** 0 = ephemeral. */
  readonly port: number;
  /** AWS IoT's publish quota, applied per certificate here; 0 disables it. */
  readonly maxPublishesPerSecond: number;
  readonly log?: Logger;
}

export interface HttpsPublishListener {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * What the rules' `clientid()` answers for a message that did not come over MQTT ("Returns the ID
 * of the MQTT client sending the message, or n/a if the message wasn't sent over MQTT", AWS IoT
 * SQL functions).
 */
export const noMqttClientId = 'n/a';

/** Limiters idle for longer than this are dropped (a full bucket again). */
const limiterIdleMs = 60_000;

export async function startHttpsPublish(options: HttpsPublishOptions): Promise<HttpsPublishListener> {
  const { registry, log } = options;
  const limiters = new Map<string, { limiter: RateLimiter; lastUsed: number }>();
  const sockets = new Set<Socket>();

  const server: Server = createServer(
    {
      key: options.ca.serverPrivateKeyPem,
      cert: options.ca.serverCertificatePem,
      ca: [options.ca.caCertificatePem],
      requestCert: true,
      // The handshake itself refuses certificates not issued by the local CA, as the MQTT/TLS port.
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
      handshakeTimeout: 10_000,
      keepAliveTimeout: 30_000,
    },
    (req, res) => {
      void handle(req, res).catch((err: unknown) => {
        log?.error({ err }, 'iot https publish: request failed');
        answer(res, 503);
      });
    },
  );
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('tlsClientError', (err) => log?.debug({ err: err.message }, 'iot https publish: TLS handshake refused'));

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const request = parsePublishRequest(req.method, req.url);
    if (!request.ok) return refuse(req, res, request.status, request.reason);
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxPayloadBytes) return refuse(req, res, 413, `payload of ${declared} bytes exceeds ${maxPayloadBytes}`);
    const payload = await readBody(req);
    if (!payload) return refuse(req, res, 413, `payload exceeds ${maxPayloadBytes} bytes`);

    const peer = (req.socket as TLSSocket).getPeerCertificate();
    if (!peer?.raw) return refuse(req, res, 403, 'no client certificate on this connection');
    const certificateId = createHash('sha256').update(peer.raw).digest('hex');
    const certificate = registry.findCertificate(certificateId);
    if (!certificate || certificate.status !== 'ACTIVE') return refuse(req, res, 403, `certificate ${certificateId} is not ACTIVE`);
    const { topic, qos } = request;
    if (topic.startsWith('$') && !clientMayPublishReserved(topic)) return refuse(req, res, 403, `${topic} is a reserved topic`);
    if (!withinRate(certificateId)) {
      return refuse(req, res, 429, `more than ${options.maxPublishesPerSecond} publishes per second with this certificate`);
    }
    const principal = certificate.certificateArn;
    const decision = evaluatePolicies(
      registry.policyDocumentsOf(principal),
      'iot:Publish',
      registry.arn('topic', topic),
      certificateVariables(peer),
    );
    if (decision !== 'allow') return refuse(req, res, 403, `iot:Publish on ${topic}: ${decision}`);

    const outcome = await options.broker.publishAuthorized({
      topic,
      payload,
      clientId: noMqttClientId,
      timestamp: Date.now(),
      principal: certificateId,
      qos,
    });
    if (!outcome.durable) {
      log?.error({ topic, certificateId, reason: outcome.reason }, 'iot https publish: message not durable, answered 503');
      return answer(res, 503);
    }
    answer(res, 200);
  }

  function withinRate(certificateId: string): boolean {
    if (!(options.maxPublishesPerSecond > 0)) return true;
    const now = Date.now();
    let entry = limiters.get(certificateId);
    if (!entry) {
      if (limiters.size > 10_000) {
        for (const [id, e] of limiters) if (now - e.lastUsed > limiterIdleMs) limiters.delete(id);
      }
      limiters.set(certificateId, (entry = { limiter: createRateLimiter(options.maxPublishesPerSecond, now), lastUsed: now }));
    }
    entry.lastUsed = now;
    return entry.limiter.tryTake(now);
  }

  function refuse(req: IncomingMessage, res: ServerResponse, status: IotHttpsPublishStatus, reason: string): void {
    log?.info({ status, reason, url: req.url }, 'iot https publish: refused');
    // A body left unread (413, or a refusal before reading it) would be parsed as the next
    // request: the connection closes after this answer.
    if (!req.complete) res.setHeader('connection', 'close');
    answer(res, status);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The body, or undefined once it grows past AWS IoT's 128 KB: reading stops there (the stream is
 * paused, not destroyed, so that the 413 still reaches the client before the connection closes).
 */
function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxPayloadBytes) return void chunks.push(chunk);
      req.off('data', onData);
      req.pause();
      resolve(undefined);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

/** AWS IoT's answer: `{ "message", "traceId" }`. */
function answer(res: ServerResponse, status: IotHttpsPublishStatus): void {
  if (res.headersSent) return;
  const body: IotHttpsPublishAnswer = { message: iotHttpsPublishMessages[status], traceId: randomUUID() };
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
