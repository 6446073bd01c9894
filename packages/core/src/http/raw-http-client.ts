/**
 * Test support: sends raw bytes over a TCP socket and reads what comes back, for requests no HTTP
 * client library will send (HTTP/0.9, `//host` targets, CR/LF in a target, headers sent slowly).
 */
import { connect } from 'node:net';

export interface RawAnswer {
  /** Status of the first response, or undefined when the server closed without answering. */
  readonly status: number | undefined;
  readonly headers: Readonly<Record<string, string>>;
  /** The first response's body (de-chunked). */
  readonly body: string;
  /** What came after the first response (answers to pipelined requests). */
  readonly rest: string;
  /** Whether the server closed the connection before `waitMs` passed. */
  readonly closed: boolean;
  /** Milliseconds from the first byte sent until the server closed (or until `waitMs`). */
  readonly elapsedMs: number;
}

/** Writes `parts` (with `gapMs` between them), then reads until the server closes or `waitMs` passes. */
export function rawRequest(
  port: number,
  parts: string | Buffer | readonly (string | Buffer)[],
  options: { host?: string; waitMs?: number; gapMs?: number } = {},
): Promise<RawAnswer> {
  const list = typeof parts === 'string' || Buffer.isBuffer(parts) ? [parts] : parts;
  const waitMs = options.waitMs ?? 5_000;
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = connect(port, options.host ?? '127.0.0.1');
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (closed: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ ...parseResponse(Buffer.concat(chunks)), closed, elapsedMs: Date.now() - started });
    };
    const timer = setTimeout(() => finish(false), waitMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    void (async () => {
      for (const [i, part] of list.entries()) {
        if (i > 0 && options.gapMs) await new Promise((r) => setTimeout(r, options.gapMs));
        if (socket.destroyed) return;
        socket.write(part);
      }
    })();
  });
}

/** Parses the first response; lengths are in bytes (Content-Length, chunk sizes), so this works on bytes. */
function parseResponse(raw: Buffer): Pick<RawAnswer, 'status' | 'headers' | 'body' | 'rest'> {
  const split = raw.indexOf('\r\n\r\n');
  if (raw.subarray(0, 5).toString('latin1') !== 'HTTP/' || split === -1)
    return { status: undefined, headers: {}, body: raw.toString('utf8'), rest: '' };
  const [statusLine = '', ...lines] = raw.subarray(0, split).toString('latin1').split('\r\n');
  const headers = Object.fromEntries(
    lines.map((l) => [l.slice(0, l.indexOf(':')).trim().toLowerCase(), l.slice(l.indexOf(':') + 1).trim()] as const),
  );
  let body: Buffer = raw.subarray(split + 4);
  let rest: Buffer = Buffer.alloc(0);
  if (headers['transfer-encoding'] === 'chunked') ({ body, rest } = dechunk(body));
  else if (headers['content-length']) {
    rest = body.subarray(Number(headers['content-length']));
    body = body.subarray(0, Number(headers['content-length']));
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body: body.toString('utf8'), rest: rest.toString('utf8') };
}

function dechunk(raw: Buffer): { body: Buffer; rest: Buffer } {
  const out: Buffer[] = [];
  let rest: Buffer = raw;
  for (;;) {
    const lineEnd = rest.indexOf('\r\n');
    const size = Number.parseInt(rest.subarray(0, Math.max(lineEnd, 0)).toString('latin1'), 16);
    if (lineEnd === -1 || !Number.isFinite(size)) return { body: Buffer.concat(out), rest: Buffer.alloc(0) };
    // The last chunk (size 0) is followed by an empty line (no trailers are sent here).
    if (size === 0) return { body: Buffer.concat(out), rest: rest.subarray(lineEnd + 4) };
    out.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size));
    rest = rest.subarray(lineEnd + 2 + size + 2);
  }
}
