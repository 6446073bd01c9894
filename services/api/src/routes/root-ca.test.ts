import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rootCaFileName, rootCaPath } from '@fleet/core';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../test-support/test-app.ts';

const rootCa = '-----BEGIN CERTIFICATE-----\nMIIroot\n-----END CERTIFICATE-----\n';

let t: TestApp | undefined;
let caServer: Server | undefined;
afterEach(async () => {
  await t?.close();
  if (caServer) await new Promise((resolve) => caServer?.close(resolve));
  t = undefined;
  caServer = undefined;
});

/** A CA URL answering each request with the next status of `statuses` (the last one repeats), and how often it was asked. */
async function caUrlAnswering(...statuses: number[]): Promise<{ url: string; requests: () => number }> {
  let requests = 0;
  caServer = createServer((_req, res) => {
    const status = statuses[Math.min(requests++, statuses.length - 1)] ?? 200;
    res.writeHead(status).end(status === 200 ? rootCa : 'oops');
  });
  await new Promise<void>((resolve) => caServer?.listen(0, '127.0.0.1', resolve));
  const { port } = caServer.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/AmazonRootCA1.pem`, requests: () => requests };
}

async function getRootCa(app: TestApp, groups = ['viewer']) {
  return app.app.inject({ method: 'GET', url: rootCaPath, headers: { authorization: await app.bearer({ groups }) } });
}

describe(`GET ${rootCaPath}`, () => {
  it('serves the configured CA as a PEM file named for the command, fetched once for every caller', async () => {
    const ca = await caUrlAnswering(200);
    t = await startTestApp({ config: { iotCaUrl: ca.url } });
    const res = await getRootCa(t);
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe(rootCa);
    expect(res.headers['content-type']).toBe('application/x-pem-file');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="${rootCaFileName}"`);
    expect(res.headers['cache-control']).toMatch(/^private, max-age=\d+$/);
    expect((await getRootCa(t, ['admin'])).body).toBe(rootCa);
    expect(ca.requests()).toBe(1);
  });

  it('needs an access token, as every device route does', async () => {
    const ca = await caUrlAnswering(200);
    t = await startTestApp({ config: { iotCaUrl: ca.url } });
    const res = await t.app.inject({ method: 'GET', url: rootCaPath });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'Unauthorized' });
    expect(ca.requests()).toBe(0);
  });

  it('answers 503 ServiceUnavailable without the URL while the CA cannot be fetched, and serves it once it can', async () => {
    const ca = await caUrlAnswering(500, 200);
    t = await startTestApp({ config: { iotCaUrl: ca.url } });
    const failed = await getRootCa(t);
    expect(failed.statusCode).toBe(503);
    expect(failed.json()).toEqual({ code: 'ServiceUnavailable', message: expect.stringContaining('root CA') });
    expect(failed.body).not.toContain('127.0.0.1');
    const served = await getRootCa(t);
    expect(served.statusCode).toBe(200);
    expect(served.body).toBe(rootCa);
  });

  it('answers 503 ServiceUnavailable when the CA URL is not reachable at all', async () => {
    // Port 9 (discard) has no listener here: the connection is refused.
    t = await startTestApp({ config: { iotCaUrl: 'http://127.0.0.1:9/ca.pem' } });
    const res = await getRootCa(t);
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ code: 'ServiceUnavailable' });
  });

  it('refuses a query string it does not know (400), as every route does', async () => {
    const ca = await caUrlAnswering(200);
    t = await startTestApp({ config: { iotCaUrl: ca.url } });
    const res = await t.app.inject({ method: 'GET', url: `${rootCaPath}?x=1`, headers: { authorization: await t.bearer() } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'ValidationError' });
  });
});
