/**
 * Reading the SigV4 parameters of a request, from its Authorization header or its presigned query
 * string (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html,
 * "Authentication methods"), with the messages AWS answers when one is missing or malformed.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { AuthFailureKind } from './sigv4-verifier.ts';
import { decodeUriLoosely } from './aws-request.ts';

export const algorithm = 'AWS4-HMAC-SHA256';
/** A presigned URL lives at most seven days. */
const maxPresignSeconds = 7 * 24 * 3600;

export interface ParsedSignature {
  readonly accessKeyId: string;
  readonly scope: { readonly day: string; readonly region: string; readonly service: string };
  readonly signedHeaders: readonly string[];
  readonly signature: string;
  readonly longDate: string;
  readonly presigned: boolean;
  readonly expiresSeconds?: number;
  readonly sessionToken?: string;
}

/** Reads the SigV4 parameters from the Authorization header or the presigned query string. */
export function parseSignature(
  headers: IncomingHttpHeaders,
  query: readonly (readonly [string, string])[],
  defaultExpiresSeconds?: number,
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
    expires = rawExpires === undefined ? defaultExpiresSeconds : Number(rawExpires);
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
export function parseQuery(text: string): [string, string][] {
  const params: [string, string][] = [];
  for (const part of text.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    params.push([decodeUriLoosely(eq < 0 ? part : part.slice(0, eq)), decodeUriLoosely(eq < 0 ? '' : part.slice(eq + 1))]);
  }
  return params;
}

export function parseLongDate(value: string): number | undefined {
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

export function longDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}
