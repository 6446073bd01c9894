/**
 * The web app reads the API's answers through the `@fleet/core` contracts: a conforming answer is
 * the value, one that breaks the contract is an error naming where (never data a page would show),
 * and an error answer keeps the API's code.
 */
import { DevicePageSchema, DeviceRevokedSchema, DeviceViewSchema, rootCaPath } from '@fleet/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, createApi, readAnswer } from './api.ts';

const device = {
  deviceId: 'sensor-1',
  name: 'Sensor',
  ownerId: 'sub-1',
  ownerName: 'ada',
  createdAt: '2026-01-01T00:00:00.000Z',
  certificateArn: 'arn',
  certificateId: 'c',
  status: 'active',
  online: true,
  latest: { ts: 1_732_440_000_000, seq: 1, values: { temperature: 21.5 }, receivedAt: 1_732_440_000_050 },
};

const failure = (run: () => unknown): unknown => {
  try {
    run();
  } catch (err) {
    return err;
  }
  throw new Error('expected a failure');
};

describe('reading API answers', () => {
  it('gives a conforming answer as it came', () => {
    expect(readAnswer(DevicePageSchema, 'GET /api/devices', 200, JSON.stringify({ items: [device] }))).toEqual({ items: [device] });
    expect(readAnswer(DeviceRevokedSchema, 'DELETE /api/devices/x', 204, '')).toBeNull();
  });

  it('refuses an answer that breaks the contract, naming where, as a BadGateway error', () => {
    const err = failure(() =>
      readAnswer(
        DeviceViewSchema,
        'GET /api/devices/sensor-1',
        200,
        JSON.stringify({ ...device, latest: { ...device.latest, values: { t: 'hot' } } }),
      ),
    );
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 502, code: 'BadGateway', message: expect.stringContaining('/latest/values/t') });
    expect(failure(() => readAnswer(DevicePageSchema, 'GET /api/devices', 200, '<html>'))).toMatchObject({ code: 'BadGateway' });
  });

  it("keeps an error answer's code and message, and names the status's code when the body has none", () => {
    const body = JSON.stringify({ code: 'DeviceNotFound', message: 'Device "x" is not registered' });
    expect(failure(() => readAnswer(DeviceViewSchema, 'GET /api/devices/x', 404, body))).toMatchObject({
      status: 404,
      code: 'DeviceNotFound',
      message: 'Device "x" is not registered',
    });
    expect(failure(() => readAnswer(DeviceViewSchema, 'GET /api/devices/x', 503, 'Service Unavailable'))).toMatchObject({
      status: 503,
      code: 'ServiceUnavailable',
      message: 'GET /api/devices/x answered 503',
    });
  });
});

describe('the API client', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('sends the access token and checks the answer of each call', async () => {
    const fetch = vi.fn(async () => new Response(JSON.stringify({ items: [{ ...device, online: 'yes' }] }), { status: 200 }));
    vi.stubGlobal('fetch', fetch);
    const api = createApi(async () => ({ accessToken: 'token-1', idToken: 'id', refreshToken: 'r', email: 'a@b.c', expiresAt: 0 }));
    await expect(api.devices()).rejects.toMatchObject({ code: 'BadGateway', message: expect.stringContaining('/items/0/online') });
    expect(fetch).toHaveBeenCalledWith('/api/devices', expect.objectContaining({ headers: { authorization: 'Bearer token-1' } }));
  });
});

describe('the root CA download', () => {
  afterEach(() => vi.unstubAllGlobals());
  const pem = '-----BEGIN CERTIFICATE-----\nMIIroot\n-----END CERTIFICATE-----\n';
  const api = createApi(async () => ({ accessToken: 'token-1', idToken: 'id', refreshToken: 'r', email: 'a@b.c', expiresAt: 0 }));

  it('fetches the PEM from the API with the access token, as text', async () => {
    const fetch = vi.fn(async () => new Response(pem, { status: 200, headers: { 'content-type': 'application/x-pem-file' } }));
    vi.stubGlobal('fetch', fetch);
    expect(await api.rootCa()).toBe(pem);
    expect(fetch).toHaveBeenCalledWith(rootCaPath, { headers: { authorization: 'Bearer token-1' } });
  });

  it("keeps the API's error code when the CA cannot be fetched", async () => {
    const body = JSON.stringify({ code: 'ServiceUnavailable', message: 'The root CA could not be fetched' });
    vi.stubGlobal('fetch', async () => new Response(body, { status: 503 }));
    await expect(api.rootCa()).rejects.toMatchObject({
      status: 503,
      code: 'ServiceUnavailable',
      message: 'The root CA could not be fetched',
    });
  });

  it('refuses an answer that is not a certificate (nothing to save as root-ca.pem)', async () => {
    vi.stubGlobal('fetch', async () => new Response('<html>', { status: 200 }));
    await expect(api.rootCa()).rejects.toMatchObject({ code: 'BadGateway' });
  });
});
