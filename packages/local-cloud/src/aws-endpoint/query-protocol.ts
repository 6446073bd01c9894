/**
 * The AWS Query protocol (`Action=<Op>&Version=...`, form-encoded POST or a GET query string;
 * XML answers), which SNS still speaks in @aws-sdk/client-sns v3 and botocore. Here: what the
 * endpoint needs before a stand-in sees the request (the operation, for IAM and for the public
 * operations) and the XML error document, which the SDK maps to its exception classes by `Code`.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { AwsResponse } from './aws-request.ts';

/** Signing names of the services the local cloud serves on the Query protocol. */
export const queryProtocolServices: ReadonlySet<string> = new Set(['sns']);

/** The form parameters of a query-protocol request: the query string, then a form-encoded body (the body wins). */
export function queryParameters(headers: IncomingHttpHeaders, query: URLSearchParams, body: Buffer): URLSearchParams {
  const merged = new URLSearchParams(query);
  const type = headers['content-type'] ?? '';
  if (body.length > 0 && type.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    for (const [name, value] of new URLSearchParams(body.toString('utf8'))) merged.set(name, value);
  }
  return merged;
}

/** `Action` of a query-protocol request, when it names one. */
export function queryAction(headers: IncomingHttpHeaders, query: URLSearchParams, body: Buffer): string | undefined {
  return queryParameters(headers, query, body).get('Action') ?? undefined;
}

export const escapeXml = (text: string) =>
  text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c);

/**
 * `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`, the Query
 * protocol's error document (Sender for 4xx, Receiver for 5xx).
 */
export function queryError(input: { status: number; code: string; message: string; namespace: string; requestId: string }): AwsResponse {
  const type = input.status >= 500 ? 'Receiver' : 'Sender';
  return {
    status: input.status,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': input.requestId },
    body:
      `<ErrorResponse xmlns="${input.namespace}"><Error><Type>${type}</Type><Code>${escapeXml(input.code)}</Code>` +
      `<Message>${escapeXml(input.message)}</Message></Error><RequestId>${input.requestId}</RequestId></ErrorResponse>`,
  };
}
