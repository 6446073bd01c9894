/**
 * SigV4 query-string authentication of an MQTT-over-WebSocket upgrade, as AWS IoT documents it
 * (https://docs.aws.amazon.com/iot/latest/developerguide/protocols.html#mqtt-ws): the client signs
 * `GET /mqtt` with service `iotdevicegateway`, signed header `host`, the SHA-256 of the empty
 * payload, and appends `X-Amz-Security-Token` *after* signing. Signers that include the token in
 * the canonical query (as `@smithy/signature-v4` presign does) are accepted too.
 */
import { createHash, createHmac } from 'node:crypto';

export const iotWebSocketService = 'iotdevicegateway';
const emptyPayloadHash = createHash('sha256').update('').digest('hex');
/** AWS accepts requests within 15 minutes of its clock when no X-Amz-Expires is given. */
const allowedSkewMs = 15 * 60 * 1000;
const maxExpiresSeconds = 7 * 24 * 3600;

export interface ResolvedCredentials {
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  /** The Cognito identity the credentials were issued to: the connection's principal. */
  readonly identityId: string;
}

export type ResolveCredentials = (accessKeyId: string) => ResolvedCredentials | undefined | Promise<ResolvedCredentials | undefined>;

export type PresignVerification =
  { readonly ok: true; readonly accessKeyId: string; readonly identityId: string } | { readonly ok: false; readonly reason: string };

/** Verifies a presigned `/mqtt` URL (path + query, as in `req.url`) against the Host header. */
export async function verifyPresignedUrl(input: {
  rawUrl: string;
  host: string;
  resolveCredentials: ResolveCredentials;
  now?: number;
}): Promise<PresignVerification> {
  const queryStart = input.rawUrl.indexOf('?');
  const path = queryStart < 0 ? input.rawUrl : input.rawUrl.slice(0, queryStart);
  const params = parseQuery(queryStart < 0 ? '' : input.rawUrl.slice(queryStart + 1));
  if (!params) return { ok: false, reason: 'malformed query string' };
  const get = (name: string) => params.find(([k]) => k === name)?.[1];
  if (get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256') return { ok: false, reason: 'X-Amz-Algorithm must be AWS4-HMAC-SHA256' };
  const credential = get('X-Amz-Credential');
  const amzDate = get('X-Amz-Date');
  const signature = get('X-Amz-Signature');
  const signedHeaders = get('X-Amz-SignedHeaders');
  if (!credential || !amzDate || !signature || !signedHeaders) return { ok: false, reason: 'missing SigV4 query parameters' };
  const scopeParts = credential.split('/');
  if (scopeParts.length !== 5 || scopeParts[4] !== 'aws4_request') return { ok: false, reason: 'malformed X-Amz-Credential' };
  const [accessKeyId, day, region, service] = scopeParts as [string, string, string, string, string];
  if (service !== iotWebSocketService)
    return { ok: false, reason: `credential scope service must be ${iotWebSocketService}, received ${service}` };
  if (!amzDate.startsWith(day)) return { ok: false, reason: 'X-Amz-Date does not match the credential scope date' };
  if (signedHeaders.split(';').some((h) => h !== 'host')) return { ok: false, reason: 'only the host header may be signed' };

  const signedAt = parseAmzDate(amzDate);
  if (signedAt === undefined) return { ok: false, reason: 'malformed X-Amz-Date' };
  const now = input.now ?? Date.now();
  const expiresRaw = get('X-Amz-Expires');
  const expires = expiresRaw === undefined ? undefined : Number(expiresRaw);
  if (expires !== undefined && (!Number.isInteger(expires) || expires < 1 || expires > maxExpiresSeconds)) {
    return { ok: false, reason: 'X-Amz-Expires is out of range' };
  }
  if (signedAt - now > allowedSkewMs) return { ok: false, reason: 'X-Amz-Date is in the future' };
  if (now - signedAt > (expires !== undefined ? expires * 1000 : allowedSkewMs))
    return { ok: false, reason: 'the presigned URL has expired' };

  const credentials = await input.resolveCredentials(accessKeyId);
  if (!credentials) return { ok: false, reason: 'unknown access key' };
  const token = get('X-Amz-Security-Token');
  if (credentials.sessionToken !== undefined && token !== credentials.sessionToken) {
    return { ok: false, reason: 'missing or wrong X-Amz-Security-Token' };
  }

  const key = signingKey(credentials.secretAccessKey, day, region, service);
  const withoutSignature = params.filter(([k]) => k !== 'X-Amz-Signature');
  const candidates = [withoutSignature, withoutSignature.filter(([k]) => k !== 'X-Amz-Security-Token')];
  for (const candidate of candidates) {
    const canonicalRequest = ['GET', path, canonicalQuery(candidate), `host:${input.host.trim()}\n`, 'host', emptyPayloadHash].join('\n');
    const stringToSign = ['AWS4-HMAC-SHA256', amzDate, `${day}/${region}/${service}/aws4_request`, sha256Hex(canonicalRequest)].join('\n');
    const expected = createHmac('sha256', key).update(stringToSign).digest('hex');
    if (timingSafeEqualHex(expected, signature)) return { ok: true, accessKeyId, identityId: credentials.identityId };
  }
  return { ok: false, reason: 'signature does not match' };
}

/**
 * Builds a presigned `/mqtt` URL the way AWS IoT's documentation does (token appended after
 * signing). Used by tests and by local tools that connect as a Cognito identity.
 */
export function presignIotWebSocketUrl(input: {
  protocol?: 'ws' | 'wss';
  host: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  date?: Date;
}): string {
  const date = input.date ?? new Date();
  const amzDate = date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const scope = `${day}/${input.region}/${iotWebSocketService}/aws4_request`;
  const params: [string, string][] = [
    ['X-Amz-Algorithm', 'AWS4-HMAC-SHA256'],
    ['X-Amz-Credential', `${input.accessKeyId}/${scope}`],
    ['X-Amz-Date', amzDate],
    ['X-Amz-SignedHeaders', 'host'],
  ];
  const canonicalRequest = ['GET', '/mqtt', canonicalQuery(params), `host:${input.host}\n`, 'host', emptyPayloadHash].join('\n');
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const signature = createHmac('sha256', signingKey(input.secretAccessKey, day, input.region, iotWebSocketService))
    .update(stringToSign)
    .digest('hex');
  let url = `${input.protocol ?? 'ws'}://${input.host}/mqtt?${canonicalQuery(params)}&X-Amz-Signature=${signature}`;
  if (input.sessionToken) url += `&X-Amz-Security-Token=${rfc3986(input.sessionToken)}`;
  return url;
}

function signingKey(secret: string, day: string, region: string, service: string): Buffer {
  const kDate = createHmac('sha256', `AWS4${secret}`).update(day).digest();
  const kRegion = createHmac('sha256', kDate).update(region).digest();
  const kService = createHmac('sha256', kRegion).update(service).digest();
  return createHmac('sha256', kService).update('aws4_request').digest();
}

function canonicalQuery(params: readonly (readonly [string, string])[]): string {
  return params
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

function parseQuery(query: string): [string, string][] | undefined {
  const result: [string, string][] = [];
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    try {
      result.push([decodeURIComponent(eq < 0 ? part : part.slice(0, eq)), decodeURIComponent(eq < 0 ? '' : part.slice(eq + 1))]);
    } catch {
      return undefined;
    }
  }
  return result;
}

function rfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function parseAmzDate(value: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function timingSafeEqualHex(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
