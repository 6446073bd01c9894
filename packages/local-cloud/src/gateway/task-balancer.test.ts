import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createTaskBalancer, type TaskBalancer } from './task-balancer.ts';

const log = pino({ level: 'silent' });
const open: Server[] = [];

/** A task answering its own name and the body it received. */
async function task(name: string): Promise<number> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'x-task': name });
      res.end(JSON.stringify({ task: name, method: req.method, url: req.url, body: Buffer.concat(chunks).toString() }));
    });
  });
  open.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** A port nothing listens on (bound then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function balancerOver(ports: (number | undefined)[], maxBodyBytes?: number): Promise<{ balancer: TaskBalancer; url: string }> {
  const balancer = createTaskBalancer({
    service: 'data',
    taskPorts: ports.map((p) => () => p),
    log,
    ...(maxBodyBytes ? { maxBodyBytes } : {}),
  });
  open.push(balancer.server);
  await new Promise<void>((resolve) => balancer.server.listen(0, '127.0.0.1', resolve));
  return { balancer, url: `http://127.0.0.1:${(balancer.server.address() as AddressInfo).port}` };
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

describe('the load balancer in front of several tasks', () => {
  it('spreads requests over the tasks in turn, with method, path, query and body intact', async () => {
    const { balancer, url } = await balancerOver([await task('one'), await task('two')]);
    const answers: { task: string; url: string; body: string; method: string }[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${url}/data/telemetry?deviceId=d${i}`, { method: 'POST', body: `{"i":${i}}` });
      answers.push((await res.json()) as (typeof answers)[number]);
    }
    expect(answers.map((a) => a.task)).toEqual(['one', 'two', 'one', 'two']);
    expect(answers[3]).toEqual({ task: 'two', method: 'POST', url: '/data/telemetry?deviceId=d3', body: '{"i":3}' });
    expect(balancer.answeredByTask()).toEqual([2, 2]);
  });

  it('skips a task that is down or refuses the connection, so a restarting task costs no request', async () => {
    const { balancer, url } = await balancerOver([undefined, await closedPort(), await task('up')]);
    const tasks = await Promise.all([1, 2, 3].map(async () => ((await (await fetch(`${url}/x`)).json()) as { task: string }).task));
    expect(tasks).toEqual(['up', 'up', 'up']);
    expect(balancer.answeredByTask()).toEqual([0, 0, 3]);
  });

  it('skips a task that died with a kept-alive connection open, for a request that is safe to repeat', async () => {
    const doomed = createServer((_req, res) => res.end('{"task":"doomed"}'));
    await new Promise<void>((resolve) => doomed.listen(0, '127.0.0.1', resolve));
    const doomedPort = (doomed.address() as AddressInfo).port;
    const { url } = await balancerOver([doomedPort, await task('alive')]);
    // Both tasks answer once, so the balancer holds an idle kept-alive socket to each.
    expect([await (await fetch(`${url}/a`)).json(), await (await fetch(`${url}/b`)).json()]).toEqual([
      { task: 'doomed' },
      expect.objectContaining({ task: 'alive' }),
    ]);
    // The task dies: its sockets close under the balancer, as with kill -9.
    doomed.closeAllConnections();
    await new Promise((resolve) => doomed.close(resolve));
    const tasks = [];
    for (let i = 0; i < 4; i++) tasks.push(((await (await fetch(`${url}/x`)).json()) as { task: string }).task);
    expect(tasks).toEqual(['alive', 'alive', 'alive', 'alive']);
  });

  it("answers 502 with the platform's error shape when no task can be reached, and 413 past the body limit", async () => {
    const { url } = await balancerOver([await closedPort(), undefined], 16);
    const down = await fetch(`${url}/data/health`);
    expect(down.status).toBe(502);
    expect(await down.json()).toEqual({ code: 'BadGateway', message: 'No data task can be reached' });
    const big = await fetch(`${url}/x`, { method: 'POST', body: 'x'.repeat(17) });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { code: string }).code).toBe('PayloadTooLarge');
  });
});
