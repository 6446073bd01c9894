/**
 * The broker's two listeners, as AWS IoT Core's endpoints: MQTT over mutual TLS (the handshake
 * itself refuses client certificates not issued by the local CA) and MQTT over WebSocket at
 * `/mqtt`, whose upgrade is refused unless the URL is SigV4-presigned. Each accepted connection
 * is handed on with what authenticated it.
 */
import { createHash } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import { WebSocketServer, createWebSocketStream } from 'ws';
import type { LocalCa } from '../ca/local-ca.ts';
import { maxPayloadBytes } from '../control-plane/data-plane-handler.ts';
import { certificateVariables } from '../policy/certificate-variables.ts';
import type { PolicyContext } from '../policy/policy-evaluator.ts';
import { verifyPresignedUrl, type ResolveCredentials } from './sigv4-presigned-url.ts';

/** What authenticated a connection: a client certificate (by AWS certificate id) or a Cognito identity. */
export type ConnectionAuth =
  | {
      readonly kind: 'certificate';
      readonly certificateId: string;
      /** Its X.509 certificate policy variables (`iot:Certificate.Subject.CommonName`, ...). */
      readonly certificateVariables: PolicyContext;
      readonly ipAddress: string;
    }
  | { readonly kind: 'cognito'; readonly identityId: string; readonly ipAddress: string };

export interface TransportOptions {
  readonly ca: LocalCa;
  readonly host: string;
  readonly mqttPort: number;
  readonly wsPort: number;
  readonly resolveCredentials: ResolveCredentials;
  readonly log?: Logger;
  readonly onConnection: (stream: Duplex, auth: ConnectionAuth, req?: IncomingMessage) => void;
}

export interface Transports {
  readonly mqttPort: number;
  readonly wsPort: number;
  close(): Promise<void>;
}

export async function startTransports(options: TransportOptions): Promise<Transports> {
  const { ca, log } = options;
  const bindHost = options.host;
  // ---- MQTT over mutual TLS ----
  const sockets = new Set<Socket>();
  const tlsServer = createTlsServer(
    {
      key: ca.serverPrivateKeyPem,
      cert: ca.serverCertificatePem,
      ca: [ca.caCertificatePem],
      requestCert: true,
      // The handshake itself refuses certificates not issued by the local CA (self-signed, other CAs).
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
      handshakeTimeout: 10_000,
    },
    (socket: TLSSocket) => {
      const peer = socket.getPeerCertificate();
      if (!peer?.raw) {
        socket.destroy();
        return;
      }
      options.onConnection(socket, {
        kind: 'certificate',
        certificateId: createHash('sha256').update(peer.raw).digest('hex'),
        certificateVariables: certificateVariables(peer),
        ipAddress: socket.remoteAddress ?? '',
      });
    },
  );
  tlsServer.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  tlsServer.on('tlsClientError', (err) => log?.debug({ err: err.message }, 'iot broker: TLS handshake refused'));

  // ---- MQTT over WebSocket, SigV4-presigned ----
  const wss = new WebSocketServer({ noServer: true, maxPayload: maxPayloadBytes + 64 * 1024 });
  const httpServer = createHttpServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' }).end('Upgrade to WebSocket at /mqtt\n');
  });
  httpServer.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // Malformed HTTP (random bytes, a client that half-closes): answer 400 and drop the socket.
  httpServer.on('clientError', (err: Error, socket: Duplex) => {
    log?.debug({ err: err.message }, 'iot broker: malformed HTTP on the WebSocket port');
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    socket.destroy();
  });
  httpServer.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    void upgrade(req, socket, head).catch((err: unknown) => {
      log?.error({ err }, 'iot broker: WebSocket upgrade failed');
      socket.destroy();
    });
  });

  async function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const rawUrl = req.url ?? '/';
    const path = rawUrl.split('?')[0];
    const deny = (status: string, reason: string) => {
      log?.info({ reason }, 'iot broker: WebSocket connection refused');
      socket.end(
        `HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`,
      );
    };
    if (path !== '/mqtt') return deny('404 Not Found', 'MQTT over WebSocket is served at /mqtt');
    const verification = await verifyPresignedUrl({
      rawUrl,
      host: req.headers.host ?? '',
      resolveCredentials: options.resolveCredentials,
    });
    if (!verification.ok) return deny('403 Forbidden', verification.reason);
    wss.handleUpgrade(req, socket, head, (ws) => {
      const stream = createWebSocketStream(ws);
      stream.on('error', (err) => log?.debug({ err: err.message }, 'iot broker: WebSocket stream error'));
      options.onConnection(
        stream,
        { kind: 'cognito', identityId: verification.identityId, ipAddress: req.socket.remoteAddress ?? '' },
        req,
      );
    });
  }

  await listen(tlsServer, options.mqttPort, bindHost);
  await listen(httpServer, options.wsPort, bindHost);
  const mqttPort = (tlsServer.address() as AddressInfo).port;
  const wsPort = (httpServer.address() as AddressInfo).port;
  return {
    mqttPort,
    wsPort,
    async close() {
      wss.close();
      for (const socket of sockets) socket.destroy();
      await Promise.all([closeServer(tlsServer), closeServer(httpServer)]);
    },
  };
}

function listen(
  server: { listen(port: number, host: string, cb: () => void): unknown; once(event: 'error', cb: (err: Error) => void): unknown },
  port: number,
  host: string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
}

function closeServer(server: { close(cb: (err?: Error) => void): unknown }): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
