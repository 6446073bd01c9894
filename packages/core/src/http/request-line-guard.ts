/**
 * Reads the first request line of every connection before Node's HTTP parser does, and refuses at
 * once what HTTP/1.1 cannot be: a request line without a version is HTTP/0.9 (RFC 9112 §2.3 and
 * appendix C.1), which Node's parser accepts and then holds open waiting for headers that an
 * HTTP/0.9 client never sends. Anything else is handed, untouched, to Node's own connection
 * listener (the bytes read are put back with `unshift`).
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { rawErrorResponse } from './client-error.ts';

export interface RequestLineGuardOptions {
  /** Time for the first request line to arrive; then 408. */
  readonly timeoutMs: number;
  /** Longest first line accepted (method, target, version); then 414. */
  readonly maxLineBytes: number;
}

/** RFC 9112 §3: method SP request-target SP HTTP-version; the method is a token (RFC 9110 §5.6.2). */
const requestLine = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+ [^\s]+ HTTP\/\d\.\d$/;
const http09Line = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+ [^\s]+$/;

/** Installs the guard on an HTTP server that has not started listening. */
export function guardRequestLines(server: Server, options: RequestLineGuardOptions): void {
  // node:http registers exactly one 'connection' listener, the one that attaches its parser.
  const listeners = server.listeners('connection');
  const nodeListener = listeners[0] as ((socket: Socket) => void) | undefined;
  if (!nodeListener || listeners.length !== 1) {
    throw new Error(`guardRequestLines needs a fresh node:http server with its one connection listener, found ${listeners.length}`);
  }
  server.removeListener('connection', nodeListener);
  const pending = new Set<Socket>();

  server.on('connection', (socket: Socket) => {
    pending.add(socket);
    let buffered = Buffer.alloc(0);
    const done = () => {
      clearTimeout(timer);
      pending.delete(socket);
      socket.removeListener('data', onData);
      socket.removeListener('error', onError);
    };
    const refuse = (status: number, code: 'MalformedRequest' | 'RequestTimeout' | 'UriTooLong', message: string) => {
      done();
      socket.end(rawErrorResponse(status, code, message), () => socket.destroy());
    };
    const onError = () => {
      done();
      socket.destroy();
    };
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      // RFC 9112 §2.2: empty lines before the request line are ignored.
      let start = 0;
      while (buffered[start] === 0x0d || buffered[start] === 0x0a) start++;
      const end = buffered.indexOf(0x0a, start);
      if (end === -1) {
        if (buffered.length - start > options.maxLineBytes) {
          refuse(414, 'UriTooLong', `The request line is longer than ${options.maxLineBytes} bytes`);
        }
        return;
      }
      const line = buffered.subarray(start, end).toString('latin1').replace(/\r$/, '');
      if (!requestLine.test(line)) {
        refuse(
          400,
          'MalformedRequest',
          http09Line.test(line)
            ? 'HTTP/0.9 requests are not supported: send an HTTP/1.1 request line, "<method> <target> HTTP/1.1" (RFC 9112 §3)'
            : 'The request line is not "<method> <target> HTTP/1.1" (RFC 9112 §3)',
        );
        return;
      }
      done();
      socket.pause();
      socket.unshift(buffered);
      nodeListener.call(server, socket);
      socket.resume();
    };
    const timer = setTimeout(() => refuse(408, 'RequestTimeout', 'No request line arrived in time'), options.timeoutMs);
    timer.unref();
    socket.on('data', onData);
    socket.on('error', onError);
  });

  // server.close() closes idle connections (Node ≥ 19); a connection still before its first line is idle too.
  const closeIdle = server.closeIdleConnections.bind(server);
  server.closeIdleConnections = () => {
    for (const socket of pending) socket.destroy();
    pending.clear();
    closeIdle();
  };
  const closeAll = server.closeAllConnections.bind(server);
  server.closeAllConnections = () => {
    for (const socket of pending) socket.destroy();
    pending.clear();
    closeAll();
  };
}
