import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { presignIotWebSocketUrl, verifyPresignedUrl, type ResolveCredentials } from './sigv4-presigned-url.ts';

const host = '127.0.0.1:9443';
const region = 'us-east-1';
const identityId = `${region}:11111111-2222-3333-4444-555555555555`;
const creds = { accessKeyId: 'ASIATEST', secretAccessKey: 'secret/with+chars', sessionToken: 'token+/=with specials' };
const resolve: ResolveCredentials = (id) =>
  id === creds.accessKeyId ? { secretAccessKey: creds.secretAccessKey, sessionToken: creds.sessionToken, identityId } : undefined;
const now = Date.UTC(2026, 0, 15, 12, 0, 0);
const pathOf = (url: string) => url.slice(url.indexOf('/mqtt'));

describe('verifyPresignedUrl', () => {
  it('accepts a URL signed as AWS IoT documents (token appended after signing) and names the identity', async () => {
    const url = presignIotWebSocketUrl({ host, region, ...creds, date: new Date(now) });
    expect(await verifyPresignedUrl({ rawUrl: pathOf(url), host, resolveCredentials: resolve, now })).toEqual({
      ok: true,
      accessKeyId: creds.accessKeyId,
      identityId,
    });
  });

  it('accepts a URL presigned by @smithy/signature-v4 (token inside the signature)', async () => {
    const signer = new SignatureV4({ service: 'iotdevicegateway', region, credentials: creds, sha256: Sha256 });
    const presigned = await signer.presign(
      { method: 'GET', protocol: 'ws:', hostname: '127.0.0.1', port: 9443, path: '/mqtt', headers: { host }, query: {} },
      { expiresIn: 3600, signingDate: new Date(now) },
    );
    const query = Object.entries(presigned.query ?? {})
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
      .join('&');
    expect(await verifyPresignedUrl({ rawUrl: `/mqtt?${query}`, host, resolveCredentials: resolve, now: now + 60_000 })).toMatchObject({
      ok: true,
      identityId,
    });
  });

  it('refuses a wrong secret, another host, a tampered date and an unknown key', async () => {
    const good = pathOf(presignIotWebSocketUrl({ host, region, ...creds, date: new Date(now) }));
    const wrongSecret = pathOf(presignIotWebSocketUrl({ host, region, ...creds, secretAccessKey: 'nope', date: new Date(now) }));
    expect(await verifyPresignedUrl({ rawUrl: wrongSecret, host, resolveCredentials: resolve, now })).toMatchObject({
      ok: false,
      reason: 'signature does not match',
    });
    expect(await verifyPresignedUrl({ rawUrl: good, host: 'evil:1', resolveCredentials: resolve, now })).toMatchObject({ ok: false });
    expect(
      await verifyPresignedUrl({ rawUrl: good.replace('T120000Z', 'T120100Z'), host, resolveCredentials: resolve, now }),
    ).toMatchObject({ ok: false });
    const unknown = pathOf(presignIotWebSocketUrl({ host, region, ...creds, accessKeyId: 'ASIAOTHER', date: new Date(now) }));
    expect(await verifyPresignedUrl({ rawUrl: unknown, host, resolveCredentials: resolve, now })).toMatchObject({
      ok: false,
      reason: 'unknown access key',
    });
  });

  it('refuses an expired URL, one signed for another service, and one without the session token', async () => {
    const good = pathOf(presignIotWebSocketUrl({ host, region, ...creds, date: new Date(now) }));
    expect(await verifyPresignedUrl({ rawUrl: good, host, resolveCredentials: resolve, now: now + 16 * 60_000 })).toMatchObject({
      ok: false,
      reason: 'the presigned URL has expired',
    });
    expect(
      await verifyPresignedUrl({ rawUrl: good.replace('iotdevicegateway', 'iotdata'), host, resolveCredentials: resolve, now }),
    ).toMatchObject({ ok: false });
    expect(
      await verifyPresignedUrl({ rawUrl: good.replace(/&X-Amz-Security-Token=[^&]*/, ''), host, resolveCredentials: resolve, now }),
    ).toMatchObject({
      ok: false,
      reason: 'missing or wrong X-Amz-Security-Token',
    });
  });
});
