/**
 * GET requests one at a time, timed from a small process of their own (`timed-gets-main.ts`), as a
 * browser's chart poll is a client of its own. The bench process has just written a day (or a year)
 * of readings when it times the chart: its heap is full of that work's garbage, and its own major
 * GCs (up to 12.6 ms each, five during 300 queries of the API route, measured with a `gc` perf hook)
 * landed inside timed requests: the tail of the timings was partly the measurer's. The child is
 * plain Node (no tsx) and collects its heap once after the warm-up.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface TimedGetsRequest {
  readonly url: string;
  /** Sent on every request (the caller's `authorization`): the request reaches the child on its stdin, not its command line. */
  readonly headers: Readonly<Record<string, string>>;
  /** Untimed requests first. */
  readonly warmup: number;
  readonly queries: number;
}

export interface TimedGets {
  /** Milliseconds of each timed request, first byte sent to last byte of the answer read. */
  readonly latencies: number[];
  /** The first request, warm-up included. */
  readonly firstMs: number;
  /** The last answer's body. */
  readonly lastText: string;
}

/** Runs the requests in this process: what the child does. Throws on an answer other than 2xx. */
export async function timeGets({ url, headers, warmup, queries }: TimedGetsRequest): Promise<TimedGets> {
  const latencies: number[] = [];
  let firstMs = 0;
  let lastText = '';
  for (let i = 0; i < warmup + queries; i++) {
    const started = performance.now();
    const res = await fetch(url, { headers, signal: AbortSignal.timeout(30_000) });
    const text = await res.text();
    const ms = performance.now() - started;
    if (!res.ok) throw new Error(`GET ${url} answered ${res.status}: ${text.slice(0, 300)}`);
    if (i === 0) firstMs = ms;
    if (i >= warmup) latencies.push(ms);
    lastText = text;
    // A young process grows its heap by major GCs: one now, before the timed requests, not among them.
    if (i === warmup - 1) (globalThis as { gc?: () => void }).gc?.();
  }
  return { latencies, firstMs, lastText };
}

const childEntry = fileURLToPath(new URL('./timed-gets-main.ts', import.meta.url));

/** Runs the requests in a fresh child process and answers what it measured. */
export function timeGetsInChild(request: TimedGetsRequest): Promise<TimedGets> {
  return new Promise((resolve, reject) => {
    // Node 24 strips the types itself: no tsx loader thread in the client. `--expose-gc`: see `timeGets`.
    const child = spawn(process.execPath, ['--expose-gc', childEntry], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.end(JSON.stringify(request));
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0)
        return reject(new Error(`timed GETs of ${request.url} failed (exit ${code}): ${Buffer.concat(err).toString().slice(0, 500)}`));
      try {
        resolve(JSON.parse(Buffer.concat(out).toString()) as TimedGets);
      } catch (e) {
        reject(new Error(`timed GETs of ${request.url} printed no result`, { cause: e }));
      }
    });
  });
}
