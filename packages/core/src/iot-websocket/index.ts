/**
 * The URL AWS IoT Core accepts for MQTT over WebSocket with SigV4: presigned for the
 * `iotdevicegateway` service, with the session token appended after signing, not signed
 * (https://docs.aws.amazon.com/iot/latest/developerguide/protocols.html#mqtt-ws). The web app's live
 * chart and the benchmark's browser-path subscriber connect with it; the local broker checks it
 * (`packages/local-cloud/src/iot/broker/sigv4-presigned-url.ts`). Browser-safe.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';

export interface TemporaryCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
}

/** Presigns `iotWebSocketUrl` (`wss://<endpoint>/mqtt`, locally `ws://127.0.0.1:8083/mqtt`) for 15 minutes. */
export async function presignedIotUrl(
  config: { readonly iotWebSocketUrl: string; readonly region: string },
  credentials: TemporaryCredentials,
): Promise<string> {
  const url = new URL(config.iotWebSocketUrl);
  const signer = new SignatureV4({
    service: 'iotdevicegateway',
    region: config.region,
    sha256: Sha256,
    credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey },
  });
  const signed = await signer.presign(
    {
      method: 'GET',
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: url.pathname,
      headers: { host: url.host },
      query: {},
    },
    { expiresIn: 900 },
  );
  const query = new URLSearchParams(signed.query as Record<string, string>);
  query.set('X-Amz-Security-Token', credentials.sessionToken);
  return `${url.protocol}//${url.host}${url.pathname}?${query.toString()}`;
}
