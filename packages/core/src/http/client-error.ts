/**
 * Answers for requests Node's HTTP parser refuses before any handler sees them (malformed request
 * line or headers, headers too large, too slow): the same `{ code, message }` JSON as every other
 * Fleet error, instead of Node's empty 400 or Fastify's own body. Used as the `clientError` handler
 * of the gateway and of the services.
 */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorCode } from '../error-codes.ts';

/** The raw HTTP/1.1 response of an error, closing the connection. */
export function rawErrorResponse(status: number, code: ErrorCode, message: string, headers: Record<string, string> = {}): string {
  const body = JSON.stringify({ code, message });
  const extra = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  return (
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`
  );
}

/** What a parser error means to the client. */
export function clientErrorAnswer(err: { code?: string }): { status: number; code: ErrorCode; message: string } {
  switch (err.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, code: 'RequestTimeout', message: 'The request (line, headers and body) did not arrive in time' };
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, code: 'HeadersTooLarge', message: 'The request line and headers are larger than the server accepts' };
    default:
      return {
        status: 400,
        code: 'MalformedRequest',
        message: `The request is not valid HTTP/1.1 (${err.code ?? 'parse error'}); see RFC 9112`,
      };
  }
}

/** A `clientError` listener: writes the JSON answer when the socket can still take it, then closes. */
export function answerClientError(err: Error & { code?: string }, socket: Duplex): void {
  // A reset connection has nobody left to answer (Node's own handler does the same).
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const { status, code, message } = clientErrorAnswer(err);
  // Destroyed once flushed: a client that keeps sending must not keep the half-closed socket.
  if (socket.writable) socket.end(rawErrorResponse(status, code, message), () => socket.destroy());
  else socket.destroy();
}

/**
 * Fastify's `frameworkErrors` (a malformed %-escape in the path, a path parameter longer than the
 * router takes), answered as `{ code, message }` instead of Fastify's own body.
 */
export function frameworkErrorAnswer(err: { code?: string; statusCode?: number }): {
  status: number;
  body: { code: ErrorCode; message: string };
} {
  if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    return { status: 414, body: { code: 'UriTooLong', message: 'A path segment is longer than any this service accepts' } };
  }
  if (err.code === 'FST_ERR_BAD_URL') {
    return { status: 400, body: { code: 'MalformedRequest', message: 'The path holds a malformed %-escape (RFC 3986 §2.1)' } };
  }
  return { status: 500, body: { code: 'InternalError', message: 'Internal server error' } };
}
