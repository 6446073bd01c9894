/**
 * Live telemetry over MQTT-over-WebSocket, the AWS IoT way: the identity pool turns the user's
 * id token into short-lived AWS credentials, the WebSocket URL is SigV4-presigned with them
 * (service `iotdevicegateway`), and the connection's client id is the Cognito identity id.
 * https://docs.aws.amazon.com/iot/latest/developerguide/protocols.html#mqtt-ws
 */
import { CognitoIdentityClient, GetCredentialsForIdentityCommand, GetIdCommand } from '@aws-sdk/client-cognito-identity';
import { parseReading, topics, type DeviceAccess, type Reading } from '@fleet/core';
import { presignedIotUrl } from '@fleet/core/iot-websocket';
import mqtt, { type MqttClient } from 'mqtt';
import type { RuntimeConfig } from './config.ts';
import type { Session } from './auth.ts';
import type { Api } from './api.ts';

export type LiveReading = Reading;

/** A live connection and the device access its IoT policy was shaped by (which topics it may subscribe to). */
export interface LiveConnection<Client = LiveClient> {
  readonly client: Client;
  readonly access: DeviceAccess;
}

export async function connectLive(config: RuntimeConfig, session: Session, api: Api): Promise<LiveConnection<MqttClient>> {
  const identity = new CognitoIdentityClient({
    region: config.region,
    ...(config.cognitoEndpoint ? { endpoint: config.cognitoEndpoint } : {}),
  });
  const logins = { [`cognito-idp.${config.region}.amazonaws.com/${config.userPoolId}`]: session.idToken };
  // The API attaches the user's own IoT policy to this identity (AWS IoT requires it for Cognito
  // identities) and says which access it allows: the pool's now, which the ID token may predate.
  const { identityId, access } = await api.liveAccess(session.idToken);
  const id = (await identity.send(new GetIdCommand({ IdentityPoolId: config.identityPoolId, Logins: logins }))).IdentityId ?? identityId;
  const out = await identity.send(new GetCredentialsForIdentityCommand({ IdentityId: id, Logins: logins }));
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretKey || !c.SessionToken) throw new Error('the identity pool returned no credentials');
  const url = await presignedIotUrl(config, { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretKey, sessionToken: c.SessionToken });
  const client = mqtt.connect(url, { clientId: id, protocolVersion: 4, clean: true, reconnectPeriod: 0, connectTimeout: 10_000 });
  return { client, access };
}

/** The live connection as a person reads it. */
export type LiveState =
  | { readonly kind: 'connecting' }
  | { readonly kind: 'on' }
  | { readonly kind: 'reconnecting'; readonly reason: string }
  | { readonly kind: 'unavailable'; readonly reason: string };

/** "Live updates on", "Reconnecting…": what the page says of its live connection. */
export function liveStateText(state: LiveState): string {
  switch (state.kind) {
    case 'connecting':
      return 'Connecting to live updates…';
    case 'on':
      return 'Live updates on';
    case 'reconnecting':
      return 'Reconnecting…';
    case 'unavailable':
      return `Live updates unavailable: ${state.reason}`;
  }
}

/** The part of an MQTT client `watchLive` uses (mqtt.js's `MqttClient`). */
export type LiveClient = Pick<MqttClient, 'on' | 'subscribe' | 'end'>;

export interface LiveWatch {
  /** A fresh connection each time: the presigned URL and its credentials are short-lived. */
  readonly connect: () => Promise<LiveConnection>;
  /** The topics to subscribe to on a connection with this access. */
  readonly topics: (access: DeviceAccess) => readonly string[];
  readonly onMessage: (topic: string, payload: Uint8Array) => void;
  readonly onState: (state: LiveState) => void;
  /** Wait before reconnect attempt n (1, 2, …). @default 1 s, doubling up to 30 s */
  readonly retryDelayMs?: (attempt: number) => number;
}

/**
 * Keeps a live subscription up: connects, subscribes, and on a lost connection (the broker
 * restarted, the network dropped, credentials expired) connects again with a fresh presigned URL
 * after a growing pause, saying "Reconnecting…" meanwhile. mqtt.js's own reconnect would reuse the
 * first URL, whose signature expires. Returns the function that stops it.
 */
export function watchLive(watch: LiveWatch): () => void {
  const delay = watch.retryDelayMs ?? ((n: number) => Math.min(30_000, 1000 * 2 ** (n - 1)));
  let stopped = false;
  let attempt = 0;
  let client: LiveClient | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const retry = (reason: string) => {
    if (stopped || timer) return;
    // Forgotten before it is ended: its own 'close' must not start a second retry.
    const lost = client;
    client = undefined;
    lost?.end(true);
    attempt += 1;
    watch.onState({ kind: 'reconnecting', reason });
    timer = setTimeout(() => {
      timer = undefined;
      void open();
    }, delay(attempt));
  };

  async function open(): Promise<void> {
    let c: LiveClient;
    let access: DeviceAccess;
    try {
      ({ client: c, access } = await watch.connect());
    } catch (err) {
      return retry(err instanceof Error ? err.message : String(err));
    }
    if (stopped) return void c.end(true);
    client = c;
    c.on('connect', () => {
      c.subscribe([...watch.topics(access)], { qos: 0 }, (err) => {
        if (err) return watch.onState({ kind: 'unavailable', reason: `subscribe failed: ${err.message}` });
        attempt = 0;
        watch.onState({ kind: 'on' });
      });
    });
    c.on('message', (topic, payload) => watch.onMessage(topic, payload));
    c.on('close', () => client === c && retry('connection closed'));
    c.on('error', (err) => client === c && retry(err.message));
  }

  watch.onState({ kind: 'connecting' });
  void open();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    client?.end(true);
  };
}

/**
 * The topics a device's live readings arrive on for a user with `access`: its telemetry topic, as
 * the device publishes it, for a user who sees every device; for a user granted thing groups,
 * the Data Service's re-publication under each granted group (`@fleet/core` device-access.ts),
 * which arrives after the reading is stored. A device in two granted groups arrives twice: see
 * `withLiveReading`.
 */
export function liveTopics(deviceId: string, access: DeviceAccess): string[] {
  return access.kind === 'all' ? [topics.telemetry(deviceId)] : access.groups.map((g) => topics.groupTelemetry(g, deviceId));
}

/**
 * The live window with a reading added: kept in device-time order (readings can arrive late or
 * buffered), a reading already there (same ts and seq: one device re-published under two groups,
 * or redelivered) dropped, at most `window` newest.
 */
export function withLiveReading(window: readonly LiveReading[], reading: LiveReading, size: number): readonly LiveReading[] {
  if (window.some((r) => r.ts === reading.ts && r.seq === reading.seq)) return window;
  return [...window, reading].sort((a, b) => a.ts - b.ts || a.seq - b.seq).slice(-size);
}

/**
 * A live message as the Data Service would judge it (`parseReading` of `@fleet/core`, with the
 * browser's clock standing in for the broker's receive time): a reading the Data Service would
 * dead-letter never reaches the chart.
 */
export function parseLive(deviceId: string, payload: Uint8Array, receivedAt = Date.now()): LiveReading | undefined {
  const parsed = parseReading(deviceId, payload, receivedAt);
  return parsed.ok ? parsed.reading : undefined;
}
