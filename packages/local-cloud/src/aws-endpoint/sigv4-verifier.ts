/**
 * Verifies an AWS Signature Version 4 request (Authorization header or presigned query) against
 * the credentials the local cloud issued, as AWS does
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html):
 * the canonical request is rebuilt with `@smithy/signature-v4` (the SDK's own canonicalization of
 * path, query and headers) from the headers the client says it signed, the signature recomputed
 * and compared in constant time; the date must be within 15 minutes of now (or inside
 * X-Amz-Expires for a presigned URL) and temporary credentials must come with their session token.
 *
 * Not verified: the per-chunk signatures of `aws-chunked` uploads (STREAMING-AWS4-HMAC-SHA256-PAYLOAD):
 * the seed signature of the request is.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { SignatureV4Base } from '@smithy/signature-v4';
import type { HeaderBag, HttpRequest } from '@smithy/types';
import type { CredentialResolver, KnownCredentials } from '../iam/credential-resolver.ts';
import { decodeUriLoosely } from './aws-request.ts';
import { signingKey, NodeSha256 } from './node-sha256.ts';

/** Why a request is not authenticated; the endpoint answers each in its service's error shape. */
export type AuthFailureKind =
  'missing' | 'incomplete' | 'unknown-key' | 'signature' | 'expired-token' | 'invalid-token' | 'skew' | 'presign-expired' | 'payload-hash';

export type Authentication =
  | { readonly ok: true; readonly accessKeyId: string; readonly credentials: KnownCredentials }
  | { readonly ok: false; readonly kind: AuthFailureKind; readonly message: string };

export interface SignedRequest {
  readonly method: string;
  /** Path and query exactly as received. */
  readonly rawUrl: string;
  readonly headers: IncomingHttpHeaders;
  /** Every value of repeated headers (`req.headersDistinct`). */
  readonly headersDistinct: Readonly<Record<string, readonly string[] | undefined>>;
  readonly body: Buffer;
}

/** AWS refuses a request signed more than 15 minutes from its clock. */
export const allowedSkewMs = 15 * 60 * 1000;
const maxPresignSeconds = 7 * 24 * 3600;
const algorithm = 'AWS4-HMAC-SHA256';
const emptyHash = createHash('sha256').digest('hex');

interface ParsedSignature {
  readonly accessKeyId: string;
  readonly scope: { readonly day: string; readonly region: string; readonly service: string };
  readonly signedHeaders: readonly string[];
  readonly signature: string;
  readonly longDate: string;
  readonly presigned: boolean;
  readonly expiresSeconds?: number;
  readonly sessionToken?: string;
}

/** Recomputes signatures with the SDK's canonicalization (`SignatureV4Base`). */
class SignatureCalculator extends SignatureV4Base {
  constructor(service: string) {
    // S3 signs the path as sent; every other service normalizes and double-encodes it.
    super({
      service,
      region: '',
      credentials: { accessKeyId: '', secretAccessKey: '' },
      sha256: NodeSha256,
      uriEscapePath: service !== 's3',
    });
  }

  async signature(request: HttpRequest, headers: HeaderBag, payloadHash: string, longDate: string, scope: string, key: Buffer) {
    const canonical = this.createCanonicalRequest(request, headers, payloadHash);
    const stringToSign = await this.createStringToSign(longDate, scope, canonical, algorithm);
    return new NodeSha256(key).update(stringToSign).digestHex();
  }
}

const calculators = new Map<string, SignatureCalculator>();

export async function verifySigV4(req: SignedRequest, resolve: CredentialResolver, now = Date.now()): Promise<Authentication> {
  const queryStart = req.rawUrl.indexOf('?');
  const path = queryStart < 0 ? req.rawUrl : req.rawUrl.slice(0, queryStart);
  const query = parseQuery(queryStart < 0 ? '' : req.rawUrl.slice(queryStart + 1));
  const parsed = parseSignature(req.headers, query);
  if ('kind' in parsed) return { ok: false, ...parsed };
  const { scope } = parsed;

  const signedAt = parseLongDate(parsed.longDate);
  if (signedAt === undefined) {
    return fail(
      'incomplete',
      `Date must be in ISO-8601 'basic format'. Got '${parsed.longDate}'. See http://en.wikipedia.org/wiki/ISO_8601`,
    );
  }
  if (scope.day !== parsed.longDate.slice(0, 8)) {
    return fail(
      'signature',
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scope.day}' != '${parsed.longDate.slice(0, 8)}', from '${parsed.longDate}'.`,
    );
  }
  if (signedAt - now > allowedSkewMs) {
    return fail(
      'skew',
      `Signature not yet current: ${parsed.longDate} is still later than ${longDate(now + allowedSkewMs)} (${longDate(now)} + 15 min.)`,
    );
  }
  if (parsed.presigned) {
    if (now - signedAt > (parsed.expiresSeconds ?? 0) * 1000) return fail('presign-expired', 'Request has expired');
  } else if (now - signedAt > allowedSkewMs) {
    return fail(
      'skew',
      `Signature expired: ${parsed.longDate} is now earlier than ${longDate(now - allowedSkewMs)} (${longDate(now)} - 15 min.)`,
    );
  }
  if (!parsed.signedHeaders.includes('host')) return fail('signature', "'Host' must be a 'SignedHeader' in the AWS Authorization.");

  const credentials = resolve(parsed.accessKeyId);
  if (!credentials) return fail('unknown-key', 'The security token included in the request is invalid.');
  if (credentials.expiresAt !== undefined && credentials.expiresAt <= now) {
    return fail('expired-token', 'The security token included in the request is expired');
  }
  if (!sameSecret(credentials.sessionToken, parsed.sessionToken)) {
    return fail('invalid-token', 'The security token included in the request is invalid.');
  }

  const declaredHash = headerValue(req.headersDistinct, 'x-amz-content-sha256');
  const bodyHash = req.body.length === 0 ? emptyHash : createHash('sha256').update(req.body).digest('hex');
  if (declaredHash !== undefined && /^[0-9a-f]{64}$/i.test(declaredHash) && declaredHash.toLowerCase() !== bodyHash) {
    return fail('payload-hash', "The provided 'x-amz-content-sha256' header does not match what was computed.");
  }
  const payloadHash = declaredHash ?? (parsed.presigned && scope.service === 's3' ? 'UNSIGNED-PAYLOAD' : bodyHash);

  const headers: HeaderBag = {};
  for (const name of parsed.signedHeaders) {
    const value = headerValue(req.headersDistinct, name);
    // A header the client signed but did not send cannot be part of a matching signature.
    if (value === undefined) return fail('signature', signatureMismatch);
    headers[name] = value
      .replace(/[\r\n]/g, ' ')
      .replace(/[ \t]+/g, ' ')
      .trim();
  }
  const request: HttpRequest = { method: req.method, protocol: 'http:', hostname: '', path, query: queryRecord(query), headers };
  const scopeText = `${scope.day}/${scope.region}/${scope.service}/aws4_request`;
  const key = signingKey(credentials.secretAccessKey, scope.day, scope.region, scope.service);
  let calculator = calculators.get(scope.service);
  if (!calculator) calculators.set(scope.service, (calculator = new SignatureCalculator(scope.service)));
  const expected = await calculator.signature(request, headers, payloadHash, parsed.longDate, scopeText, key);
  if (!sameSecret(expected, parsed.signature.toLowerCase())) return fail('signature', signatureMismatch);
  return { ok: true, accessKeyId: parsed.accessKeyId, credentials };
}

const signatureMismatch =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

const fail = (kind: AuthFailureKind, message: string): Authentication => ({ ok: false, kind, message });

/** Reads the SigV4 parameters from the Authorization header or the presigned query string. */
function parseSignature(
  headers: IncomingHttpHeaders,
  query: readonly (readonly [string, string])[],
): ParsedSignature | { kind: AuthFailureKind; message: string } {
  const get = (name: string) => query.find(([k]) => k === name)?.[1];
  const authorization = typeof headers.authorization === 'string' ? headers.authorization.trim() : undefined;
  const presigned = get('X-Amz-Algorithm') !== undefined;
  if (authorization !== undefined && presigned) {
    return { kind: 'incomplete', message: "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header." };
  }
  if (authorization === undefined && !presigned) return { kind: 'missing', message: 'Request is missing Authentication Token' };

  let credential: string | undefined;
  let signedHeaders: string | undefined;
  let signature: string | undefined;
  let date: string | undefined;
  let expires: number | undefined;
  let token: string | undefined;
  if (authorization !== undefined) {
    const space = authorization.indexOf(' ');
    const name = space < 0 ? authorization : authorization.slice(0, space);
    if (name !== algorithm) {
      return { kind: 'incomplete', message: `Unsupported AWS 'algorithm': '${name}' (only ${algorithm} for now).` };
    }
    const fields = new Map<string, string>();
    for (const part of authorization.slice(space + 1).split(',')) {
      const eq = part.indexOf('=');
      if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
    }
    credential = fields.get('Credential');
    signedHeaders = fields.get('SignedHeaders');
    signature = fields.get('Signature');
    date = typeof headers['x-amz-date'] === 'string' ? headers['x-amz-date'] : httpDate(headers.date);
    token = typeof headers['x-amz-security-token'] === 'string' ? headers['x-amz-security-token'] : undefined;
  } else {
    if (get('X-Amz-Algorithm') !== algorithm) {
      return { kind: 'incomplete', message: `Unsupported AWS 'algorithm': '${get('X-Amz-Algorithm') ?? ''}' (only ${algorithm} for now).` };
    }
    credential = get('X-Amz-Credential');
    signedHeaders = get('X-Amz-SignedHeaders');
    signature = get('X-Amz-Signature');
    date = get('X-Amz-Date');
    token = get('X-Amz-Security-Token');
    const rawExpires = get('X-Amz-Expires');
    expires = rawExpires === undefined ? undefined : Number(rawExpires);
    if (expires === undefined || !Number.isInteger(expires) || expires < 1 || expires > maxPresignSeconds) {
      return { kind: 'incomplete', message: `X-Amz-Expires must be a whole number of seconds from 1 to ${maxPresignSeconds}.` };
    }
  }
  const missing = [
    ['Credential', credential],
    ['SignedHeaders', signedHeaders],
    ['Signature', signature],
    ['X-Amz-Date', date],
  ].filter(([, v]) => !v);
  if (missing.length > 0 || !credential || !signedHeaders || !signature || !date) {
    return { kind: 'incomplete', message: `The signature is missing ${missing.map(([n]) => `'${n}'`).join(', ')}.` };
  }
  const parts = credential.split('/');
  if (parts.length !== 5 || parts[4] !== 'aws4_request' || parts.some((p) => p === '')) {
    return {
      kind: 'incomplete',
      message: `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/aws4_request, got '${credential}'`,
    };
  }
  const [accessKeyId = '', day = '', region = '', service = ''] = parts;
  return {
    accessKeyId,
    scope: { day, region, service },
    signedHeaders: signedHeaders.toLowerCase().split(';'),
    signature,
    longDate: date,
    presigned,
    ...(expires !== undefined ? { expiresSeconds: expires } : {}),
    ...(token !== undefined ? { sessionToken: token } : {}),
  };
}

/** Query parameters in order, decoded once; `+` stays `+` (SigV4 clients encode spaces as %20). */
function parseQuery(text: string): [string, string][] {
  const params: [string, string][] = [];
  for (const part of text.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    params.push([decodeUriLoosely(eq < 0 ? part : part.slice(0, eq)), decodeUriLoosely(eq < 0 ? '' : part.slice(eq + 1))]);
  }
  return params;
}

function queryRecord(params: readonly (readonly [string, string])[]): Record<string, string | string[]> {
  const record: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  for (const [key, value] of params) {
    const existing = record[key];
    record[key] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  return record;
}

/** AWS joins repeated header values with commas in the canonical request. */
function headerValue(headers: SignedRequest['headersDistinct'], name: string): string | undefined {
  const values = Object.hasOwn(headers, name) ? headers[name] : undefined;
  return values === undefined ? undefined : values.join(',');
}

function parseLongDate(value: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  return Number.isNaN(ms) ? undefined : ms;
}

/** SigV4 accepts the HTTP `Date` header when there is no X-Amz-Date. */
function httpDate(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? value : longDate(ms);
}

function longDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** Constant-time comparison; both absent is equal. */
function sameSecret(expected: string | undefined, received: string | undefined): boolean {
  if (expected === undefined || received === undefined) return expected === received;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(received).digest();
  return timingSafeEqual(a, b);
}
