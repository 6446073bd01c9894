import { rawRequest } from '@fleet/core/http/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../test-support/test-app.ts';

let t: TestApp;
let operator = '';
beforeAll(async () => {
  t = await startTestApp();
  operator = await t.bearer({ groups: ['operator'] });
});
afterAll(() => t.close());

const register = (payload: string | object, headers: Record<string, string> = {}) =>
  t.app.inject({
    method: 'POST',
    url: '/api/devices',
    headers: { authorization: operator, 'content-type': 'application/json', ...headers },
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });

describe('strict request bodies', () => {
  it('never coerces a body field: a number, an array or a boolean is not a string', async () => {
    for (const name of [42, ['a'], true, null, { text: 'a' }]) {
      const res = await register({ name });
      expect(res.statusCode, JSON.stringify(name)).toBe(400);
      expect(res.json()).toEqual({ code: 'ValidationError', message: 'body/name must be string' });
    }
    expect(t.iot.names()).toEqual([]);
  });

  it('still parses numbers in query strings, as documented', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/devices?limit=5', headers: { authorization: operator } });
    expect(res.statusCode).toBe(200);
  });

  it('refuses invalid UTF-8 with 400 instead of storing U+FFFD', async () => {
    const body = Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]);
    const res = await register(body.toString('latin1'), {});
    const raw = await t.app.inject({
      method: 'POST',
      url: '/api/devices',
      headers: { authorization: operator, 'content-type': 'application/json' },
      payload: body,
    });
    expect(raw.statusCode).toBe(400);
    expect(raw.json()).toEqual({ code: 'MalformedRequest', message: 'The body is not valid UTF-8 (RFC 8259 §8.1: JSON text is UTF-8)' });
    // The same characters sent as proper UTF-8 are a valid name.
    expect(res.statusCode).toBe(201);
    expect(res.json().device.name).toBe('Ã(ÿ');
  });

  it('refuses a body that is not JSON, an empty one, a prototype-polluting one and other media types', async () => {
    expect((await register('{"name":')).json()).toEqual({ code: 'MalformedRequest', message: 'The body is not valid JSON' });
    expect((await register('')).json()).toMatchObject({ code: 'MalformedRequest' });
    expect((await register('{"name":"x","__proto__":{"admin":true}}')).statusCode).toBe(400);
    const text = await register('name=x', { 'content-type': 'text/plain' });
    expect(text.statusCode).toBe(415);
    expect(text.json()).toEqual({ code: 'UnsupportedMediaType', message: 'Send the body as application/json' });
  });

  it('answers 413 PayloadTooLarge above 16 KiB (64 KiB for commands), with the error model', async () => {
    const big = await register({ name: 'x'.repeat(17 * 1024) });
    expect(big.statusCode).toBe(413);
    expect(big.json()).toEqual({
      code: 'PayloadTooLarge',
      message: 'The request body is larger than this route accepts (see the OpenAPI document)',
    });
    const huge = await register({ name: 'x'.repeat(10 * 1024 * 1024) });
    expect(huge.statusCode).toBe(413);
    const command = await t.app.inject({
      method: 'POST',
      url: '/api/devices/nope/commands',
      headers: { authorization: operator },
      payload: { command: 'reboot', args: { note: 'x'.repeat(40 * 1024) } },
    });
    // Within the command limit: judged on its merits (the device does not exist).
    expect(command.statusCode).toBe(404);
  });

  it('answers 400 for a username over 128 characters and 414 for one of 100,000', async () => {
    const admin = await t.bearer({ groups: ['admin'] });
    const put = (username: string) =>
      t.app.inject({ method: 'PUT', url: `/api/users/${username}/role`, headers: { authorization: admin }, payload: { role: 'viewer' } });
    const long = await put('u'.repeat(129));
    expect(long.statusCode).toBe(400);
    expect(long.json()).toEqual({ code: 'ValidationError', message: 'params/username must NOT have more than 128 characters' });
    const huge = await put('u'.repeat(100_000));
    expect(huge.statusCode).toBe(414);
    expect(huge.json().code).toBe('UriTooLong');
  });

  it('answers 413 to a body over the limit and keeps reading, so the client gets the answer and the connection goes on', async () => {
    const base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const body = JSON.stringify({ name: 'x'.repeat(200_000) });
    // Fastify would close after its 413; a client still writing its body then meets a reset instead of the answer.
    const answer = await rawRequest(Number(new URL(base).port), [
      `POST /api/devices HTTP/1.1\r\nHost: x\r\nAuthorization: ${operator}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      'GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    ]);
    expect(answer.status).toBe(413);
    expect(answer.headers['connection']).not.toBe('close');
    // The second request on the same connection is answered too.
    expect(answer.rest).toMatch(/^HTTP\/1\.1 200 OK/);
  });
});
