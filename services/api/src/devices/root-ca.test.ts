import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../errors.ts';
import { rootCaFetcher } from './root-ca.ts';

const pem = '-----BEGIN CERTIFICATE-----\nMIIroot\n-----END CERTIFICATE-----\n';
let server: Server | undefined;
afterEach(async () => {
  if (server) await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

/** A URL answering the bodies of `answers` in turn (the last one repeats), and how often it was asked. */
async function serving(...answers: { status: number; body: string }[]): Promise<{ url: string; requests: () => number }> {
  let requests = 0;
  server = createServer((_req, res) => {
    const answer = answers[Math.min(requests++, answers.length - 1)] ?? { status: 404, body: '' };
    res.writeHead(answer.status).end(answer.body);
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/ca.pem`, requests: () => requests };
}

describe('rootCaFetcher', () => {
  it('fetches the PEM once and keeps it', async () => {
    const ca = await serving({ status: 200, body: pem });
    const fetchCa = rootCaFetcher(ca.url);
    expect(await fetchCa()).toBe(pem);
    expect(await fetchCa()).toBe(pem);
    expect(ca.requests()).toBe(1);
  });

  it('keeps no failure: a 5xx is a 503 ServiceUnavailable, and the next call fetches again', async () => {
    const ca = await serving({ status: 502, body: 'bad gateway' }, { status: 200, body: pem });
    const fetchCa = rootCaFetcher(ca.url);
    const failure = await fetchCa().catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ApiError);
    expect(failure).toMatchObject({ statusCode: 503, code: 'ServiceUnavailable' });
    expect((failure as ApiError).message).not.toContain(ca.url);
    expect(await fetchCa()).toBe(pem);
    expect(ca.requests()).toBe(2);
  });

  it('refuses an answer that is not a PEM certificate (a login page, an error text) with 503', async () => {
    const ca = await serving({ status: 200, body: '<html>sign in</html>' });
    await expect(rootCaFetcher(ca.url)()).rejects.toMatchObject({ statusCode: 503, code: 'ServiceUnavailable' });
  });
});
