/**
 * SigV4 query-string authentication of an MQTT-over-WebSocket upgrade, as AWS IoT documents it
 * (https://docs.aws.amazon.com/iot/latest/developerguide/protocols.html#mqtt-ws): the client
 * presigns `GET /mqtt` with service `iotdevicegateway`, signed header `host` and the SHA-256 of the
 * empty payload, and appends `X-Amz-Security-Token` *after* signing. Signers that include the token
 * in the canonical query (as `@smithy/signature-v4` presign does) are accepted too, and so are URLs
 * without X-Amz-Expires (older device SDKs), within the 15-minute clock skew.
 *
 * The signature itself is checked by the AWS port's verifier (aws-endpoint/sigv4-verifier.ts), with
 * these rules; the URL is built by the SDK's own presigner.
 */
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '@fleet/core/aws-sdk';
import { verifySigV4, type SignatureRules } from '../../aws-endpoint/sigv4-verifier.ts';

export const iotWebSocketService = 'iotdevicegateway';

/** What AWS IoT's WebSocket endpoint accepts beyond the common SigV4 rules. */
const iotWebSocketRules: SignatureRules = {
  service: iotWebSocketService,
  defaultExpiresSeconds: 15 * 60,
  unsignedQueryParameters: ['X-Amz-Security-Token'],
};

export interface ResolvedCredentials {
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  /** The Cognito identity the credentials were issued to: the connection's principal. */
  readonly identityId: string;
}

export type ResolveCredentials = (accessKeyId: string) => ResolvedCredentials | undefined | Promise<ResolvedCredentials | undefined>;

export type PresignVerification =
  { readonly ok: true; readonly accessKeyId: string; readonly identityId: string } | { readonly ok: false; readonly reason: string };

/**
 * Verifies a presigned `/mqtt` URL (path + query, as in `req.url`) against the Host header. Only
 * the host header counts, as only it may be signed: other upgrade headers (Origin, Sec-WebSocket-*)
 * are the browser's, never part of the signature.
 */
export async function verifyPresignedUrl(input: {
  rawUrl: string;
  host: string;
  resolveCredentials: ResolveCredentials;
  now?: number;
}): Promise<PresignVerification> {
  const verified = await verifySigV4(
    { method: 'GET', rawUrl: input.rawUrl, headers: { host: input.host }, headersDistinct: { host: [input.host] }, body: Buffer.alloc(0) },
    input.resolveCredentials,
    input.now ?? Date.now(),
    iotWebSocketRules,
  );
  return verified.ok
    ? { ok: true, accessKeyId: verified.accessKeyId, identityId: verified.credentials.identityId }
    : { ok: false, reason: verified.message };
}

/**
 * Builds a presigned `/mqtt` URL the way AWS IoT's documentation does (token appended after
 * signing), with the SDK's presigner. Used by tests and by local tools that connect as a Cognito
 * identity.
 */
export async function presignIotWebSocketUrl(input: {
  protocol?: 'ws' | 'wss';
  /** `host[:port]` of the WebSocket endpoint. */
  host: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  date?: Date;
  /** @default 900 (15 minutes) */
  expiresInSeconds?: number;
}): Promise<string> {
  const protocol = input.protocol ?? 'ws';
  const { hostname, port } = new URL(`${protocol}://${input.host}`);
  const signer = new SignatureV4({
    service: iotWebSocketService,
    region: input.region,
    credentials: { accessKeyId: input.accessKeyId, secretAccessKey: input.secretAccessKey },
    sha256: NodeSha256,
  });
  const presigned = await signer.presign(
    {
      method: 'GET',
      protocol: `${protocol}:`,
      hostname,
      ...(port ? { port: Number(port) } : {}),
      path: '/mqtt',
      headers: { host: input.host },
      query: {},
    },
    { expiresIn: input.expiresInSeconds ?? 900, ...(input.date ? { signingDate: input.date } : {}) },
  );
  const query = Object.entries(presigned.query ?? {}).map(([name, value]) => [name, String(value)] as const);
  if (input.sessionToken) query.push(['X-Amz-Security-Token', input.sessionToken]);
  return `${protocol}://${input.host}/mqtt?${query.map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`).join('&')}`;
}
