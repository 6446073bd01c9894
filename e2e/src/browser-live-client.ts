/**
 * An MQTT client that reaches the broker the way the web app's live chart does
 * (services/frontend/web/src/live.ts, `connectLive`): the runtime config from the Frontend's
 * `/config.json` through the gateway, `POST /api/me/live-access` (the API attaches the user's own
 * browser IoT policy to the user's Cognito identity and answers the access it allows), the identity pool's GetId and GetCredentialsForIdentity
 * with the user's ID token, a SigV4-presigned WebSocket URL (service `iotdevicegateway`, session
 * token appended after signing) and mqtt.js over that WebSocket with the identity id as client id.
 *
 * Tests and the bench may not import the web app (eslint.boundaries.js), so the steps are repeated
 * here with the same libraries and the same arguments; a change to `connectLive` should be mirrored.
 */
import { CognitoIdentityClient, GetCredentialsForIdentityCommand, GetIdCommand } from '@aws-sdk/client-cognito-identity';
import { connectAsync, type MqttClient } from 'mqtt';
import type { DeviceAccess, LiveAccess, WebRuntimeConfig } from '@fleet/core';
import { presignedIotUrl } from '@fleet/core/iot-websocket';
import type { FleetUser } from './fleet-user.ts';

export interface BrowserLiveConnection {
  readonly client: MqttClient;
  /** The Cognito identity id: the connection's client id and its IoT principal. */
  readonly identityId: string;
  readonly config: WebRuntimeConfig;
  /** Which topics the user's IoT policy allows: every device's own, or their granted groups' live topics. */
  readonly access: DeviceAccess;
}

/** The runtime config the web app loads at start (`/config.json`, served by the Frontend service). */
export async function loadWebConfig(gatewayUrl: string): Promise<WebRuntimeConfig> {
  const res = await fetch(new URL('/config.json', gatewayUrl), { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`${gatewayUrl}/config.json answered ${res.status}`);
  return (await res.json()) as WebRuntimeConfig;
}

/**
 * Connects as a signed-in user's browser tab does. The browser policy allows only the identity id
 * as client id, so a second connection of the same user takes the first one over
 * (DUPLICATE_CLIENTID): close one before opening the next, or use a second user.
 */
export async function connectLikeTheBrowser(gatewayUrl: string, user: FleetUser): Promise<BrowserLiveConnection> {
  const config = await loadWebConfig(gatewayUrl);
  const identity = new CognitoIdentityClient({
    region: config.region,
    ...(config.cognitoEndpoint ? { endpoint: config.cognitoEndpoint } : {}),
  });
  const logins = { [`cognito-idp.${config.region}.amazonaws.com/${config.userPoolId}`]: user.tokens.idToken };
  try {
    const { identityId, access } = await user.api.call<LiveAccess>('POST', '/api/me/live-access', { idToken: user.tokens.idToken });
    const id = (await identity.send(new GetIdCommand({ IdentityPoolId: config.identityPoolId, Logins: logins }))).IdentityId ?? identityId;
    const out = await identity.send(new GetCredentialsForIdentityCommand({ IdentityId: id, Logins: logins }));
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretKey || !c.SessionToken) throw new Error('the identity pool returned no credentials');
    const url = await presignedIotUrl(config, { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretKey, sessionToken: c.SessionToken });
    const client = await connectAsync(url, { clientId: id, protocolVersion: 4, clean: true, reconnectPeriod: 0, connectTimeout: 10_000 });
    return { client, identityId: id, config, access };
  } finally {
    identity.destroy();
  }
}
