import { createServer } from 'node:net';

/**
 * Below Linux's ephemeral range (32768-60999 by default): the kernel never gives these ports to an
 * outgoing connection. A port the OS hands out for `listen(0)` comes from that range, and between
 * this function closing it and a server listening on it (or listening again after a restart), any
 * client socket may take it as its local port (seen: a Data Service that could never start, EADDRINUSE).
 */
const first = 20_000;
const last = 32_767;
const handedOut = new Set<number>();

async function listensOn(port: number, host: string): Promise<boolean> {
  const server = createServer();
  return new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/**
 * A port free on `host` now, outside the ephemeral range, never handed out twice by this process:
 * for tests, and for the launcher's tasks behind a load balancer, which keep their port across restarts.
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = first + Math.floor(Math.random() * (last - first + 1));
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    if (await listensOn(port, host)) return port;
  }
  throw new Error(`no free port between ${first} and ${last} after 200 attempts`);
}
