/**
 * Live telemetry over MQTT-over-WebSocket, the AWS IoT way: the identity pool turns the user's
 * id token into short-lived AWS credentials, the WebSocket URL is SigV4-presigned with them
 * (service `iotdevicegateway`), and the connection's client id is the Cognito identity id.
 * https://docs.aws.amazon.com/iot/latest/developerguide/protocols.html#mqtt-ws
 */
import { CognitoIdentityClient, GetCredentialsForIdentityCommand, GetIdCommand } from '@aws-sdk/client-cognito-identity';
import { parseReading, topics, type Reading } from '@fleet/core';
import { presignedIotUrl } from '@fleet/core/iot-websocket';
import mqtt, { type MqttClient } from 'mqtt';
import type { RuntimeConfig } from './config.ts';
import type { Session } from './auth.ts';
import type { Api } from './api.ts';

export type LiveReading = Reading;

export async function connectLive(config: RuntimeConfig, session: Session, api: Api): Promise<MqttClient> {
  const identity = new CognitoIdentityClient({
    region: config.region,
    ...(config.cognitoEndpoint ? { endpoint: config.cognitoEndpoint } : {}),
  });
  const logins = { [`cognito-idp.${config.region}.amazonaws.com/${config.userPoolId}`]: session.idToken };
  // The API attaches the IoT policy to this identity: AWS IoT requires it for Cognito identities.
  const { identityId } = await api.liveAccess(session.idToken);
  const id = (await identity.send(new GetIdCommand({ IdentityPoolId: config.identityPoolId, Logins: logins }))).IdentityId ?? identityId;
  const out = await identity.send(new GetCredentialsForIdentityCommand({ IdentityId: id, Logins: logins }));
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretKey || !c.SessionToken) throw new Error('the identity pool returned no credentials');
  const url = await presignedIotUrl(config, { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretKey, sessionToken: c.SessionToken });
  return mqtt.connect(url, { clientId: id, protocolVersion: 4, clean: true, reconnectPeriod: 0, connectTimeout: 10_000 });
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
  readonly connect: () => Promise<LiveClient>;
  readonly topics: readonly string[];
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
    try {
      c = await watch.connect();
    } catch (err) {
      return retry(err instanceof Error ? err.message : String(err));
    }
    if (stopped) return void c.end(true);
    client = c;
    c.on('connect', () => {
      c.subscribe([...watch.topics], { qos: 0 }, (err) => {
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

/** The topic a device's live readings arrive on: its telemetry topic, as the device publishes it. */
export const liveTopic = (deviceId: string): string => topics.telemetry(deviceId);

/**
 * A live message as the Data Service would judge it (`parseReading` of `@fleet/core`, with the
 * browser's clock standing in for the broker's receive time): a reading the Data Service would
 * dead-letter never reaches the chart.
 */
export function parseLive(deviceId: string, payload: Uint8Array, receivedAt = Date.now()): LiveReading | undefined {
  const parsed = parseReading(deviceId, payload, receivedAt);
  return parsed.ok ? parsed.reading : undefined;
}
