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
