/**
 * Verifies an AWS Signature Version 4 request (Authorization header or presigned query) against
 * the credentials the local cloud issued, as AWS does
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html):
 * the canonical request is rebuilt with `@smithy/signature-v4` (the SDK's own canonicalization of
 * path, query and headers) from the headers the client says it signed, the signature recomputed
 * and compared in constant time; the date must be within 15 minutes of now (or inside
 * X-Amz-Expires for a presigned URL) and temporary credentials must come with their session token.
 *
 * The same verifier serves the AWS port and the IoT broker's MQTT-over-WebSocket upgrade (a
 * presigned `GET /mqtt`); `SignatureRules` states what AWS IoT accepts on top of the common rules.
 *
 * Not verified: the per-chunk signatures of `aws-chunked` uploads (STREAMING-AWS4-HMAC-SHA256-PAYLOAD):
 * the seed signature of the request is.
 */
import { createHash, createHmac, timingSafeEqual, type KeyObject } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { SignatureV4Base } from '@smithy/signature-v4';
import type { HeaderBag, HttpRequest } from '@smithy/types';
import type { KnownCredentials } from '../iam/credential-resolver.ts';
import { NodeSha256 } from '@fleet/core/aws-sdk';
import { signingKey } from './signing-key.ts';
import { algorithm, longDate, parseLongDate, parseQuery, parseSignature } from './sigv4-signature.ts';

/** Why a request is not authenticated; the endpoint answers each in its service's error shape. */
export type AuthFailureKind =
  'missing' | 'incomplete' | 'unknown-key' | 'signature' | 'expired-token' | 'invalid-token' | 'skew' | 'presign-expired' | 'payload-hash';

export type Authentication<C = KnownCredentials> =
  | { readonly ok: true; readonly accessKeyId: string; readonly credentials: C }
  | { readonly ok: false; readonly kind: AuthFailureKind; readonly message: string };

/** What the verifier needs of the credentials behind an access key id. */
export interface SigningCredentials {
  readonly secretAccessKey: string;
  /** Temporary credentials only: the request must carry this X-Amz-Security-Token. */
  readonly sessionToken?: string;
  /** Epoch ms after which the credentials answer ExpiredTokenException. */
  readonly expiresAt?: number;
}

/** Finds the credentials of an access key id; undefined for a key never issued. */
export type SigningCredentialsResolver<C extends SigningCredentials> = (accessKeyId: string) => C | undefined | Promise<C | undefined>;

/** What one endpoint accepts beyond the rules every AWS API shares. */
export interface SignatureRules {
  /** The signing name the credential scope must name, when the endpoint serves one service only. */
  readonly service?: string;
  /**
   * Lifetime of a presigned URL without X-Amz-Expires. Undefined: the parameter is required (the
   * AWS APIs, S3). AWS IoT's WebSocket endpoint accepts URLs without it within the clock skew.
   */
  readonly defaultExpiresSeconds?: number;
  /**
   * Query parameters a client may append after signing: AWS IoT documents adding
   * X-Amz-Security-Token to a presigned `/mqtt` URL after the signature is computed.
   */
  readonly unsignedQueryParameters?: readonly string[];
}

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
const emptyHash = createHash('sha256').digest('hex');

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

  async signature(request: HttpRequest, headers: HeaderBag, payloadHash: string, longDate: string, scope: string, key: KeyObject) {
    const canonical = this.createCanonicalRequest(request, headers, payloadHash);
    const stringToSign = await this.createStringToSign(longDate, scope, canonical, algorithm);
    return createHmac('sha256', key).update(stringToSign).digest('hex');
  }
}

const calculators = new Map<string, SignatureCalculator>();

export async function verifySigV4<C extends SigningCredentials = KnownCredentials>(
  req: SignedRequest,
  resolve: SigningCredentialsResolver<C>,
  now = Date.now(),
  rules: SignatureRules = {},
): Promise<Authentication<C>> {
  const queryStart = req.rawUrl.indexOf('?');
  const path = queryStart < 0 ? req.rawUrl : req.rawUrl.slice(0, queryStart);
  const query = parseQuery(queryStart < 0 ? '' : req.rawUrl.slice(queryStart + 1));
  const parsed = parseSignature(req.headers, query, rules.defaultExpiresSeconds);
  if ('kind' in parsed) return { ok: false, ...parsed };
  const { scope } = parsed;
  if (rules.service !== undefined && scope.service !== rules.service) {
    return fail('signature', `Credential should be scoped to correct service: '${rules.service}'.`);
  }

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

  const credentials = await resolve(parsed.accessKeyId);
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
  const scopeText = `${scope.day}/${scope.region}/${scope.service}/aws4_request`;
  const key = signingKey(credentials.secretAccessKey, scope.day, scope.region, scope.service);
  let calculator = calculators.get(scope.service);
  if (!calculator) calculators.set(scope.service, (calculator = new SignatureCalculator(scope.service)));
  const matches = async (signedQuery: readonly (readonly [string, string])[]) => {
    const request: HttpRequest = { method: req.method, protocol: 'http:', hostname: '', path, query: queryRecord(signedQuery), headers };
    const expected = await calculator.signature(request, headers, payloadHash, parsed.longDate, scopeText, key);
    return sameSecret(expected, parsed.signature.toLowerCase());
  };
  const appended = rules.unsignedQueryParameters ?? [];
  const signed =
    (await matches(query)) ||
    (query.some(([name]) => appended.includes(name)) && (await matches(query.filter(([name]) => !appended.includes(name)))));
  if (!signed) return fail('signature', signatureMismatch);
  return { ok: true, accessKeyId: parsed.accessKeyId, credentials };
}

/** A refusal; `never` credentials make it an `Authentication` of any credentials type. */
const fail = (kind: AuthFailureKind, message: string): Authentication<never> => ({ ok: false, kind, message });

const signatureMismatch =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

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

/** Constant-time comparison; both absent is equal. */
function sameSecret(expected: string | undefined, received: string | undefined): boolean {
  if (expected === undefined || received === undefined) return expected === received;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(received).digest();
  return timingSafeEqual(a, b);
}
