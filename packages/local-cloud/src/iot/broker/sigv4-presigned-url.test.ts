import { createHash, createHmac } from 'node:crypto';
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
const verify = (rawUrl: string, at = now, atHost = host) =>
  verifyPresignedUrl({ rawUrl, host: atHost, resolveCredentials: resolve, now: at });
const presigned = async (overrides: Partial<Parameters<typeof presignIotWebSocketUrl>[0]> = {}) =>
  pathOf(await presignIotWebSocketUrl({ host, region, ...creds, date: new Date(now), ...overrides }));

/**
 * The AWS IoT documentation's sample signer (protocols.html#mqtt-ws), written out on its own as an
 * independent oracle: canonical query without X-Amz-Expires, token appended after signing.
 */
function documentedUrl(signedAt: number, signedHeaders = 'host'): string {
  const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
  const hmac = (key: Buffer, text: string) => createHmac('sha256', key).update(text).digest();
  const amzDate = new Date(signedAt)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const scope = `${day}/${region}/iotdevicegateway/aws4_request`;
  const credential = encodeURIComponent(`${creds.accessKeyId}/${scope}`);
  const query = `X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${credential}&X-Amz-Date=${amzDate}&X-Amz-SignedHeaders=${signedHeaders}`;
  const headers = signedHeaders === 'host' ? `host:${host}\n` : `host:${host}\norigin:http://evil\n`;
  const canonical = ['GET', '/mqtt', query, headers, signedHeaders, sha256('')].join('\n');
  let key = Buffer.from(`AWS4${creds.secretAccessKey}`);
  for (const part of [day, region, 'iotdevicegateway', 'aws4_request']) key = hmac(key, part);
  const signature = hmac(key, ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n')).toString('hex');
  return `/mqtt?${query}&X-Amz-Signature=${signature}&X-Amz-Security-Token=${encodeURIComponent(creds.sessionToken)}`;
}

describe('verifyPresignedUrl', () => {
  it('accepts a URL signed as AWS IoT documents (token appended after signing) and names the identity', async () => {
    expect(await verify(await presigned())).toEqual({ ok: true, accessKeyId: creds.accessKeyId, identityId });
  });

  it('accepts a URL presigned by @smithy/signature-v4 with the token inside the signature', async () => {
    const signer = new SignatureV4({ service: 'iotdevicegateway', region, credentials: creds, sha256: Sha256 });
    const signed = await signer.presign(
      { method: 'GET', protocol: 'ws:', hostname: '127.0.0.1', port: 9443, path: '/mqtt', headers: { host }, query: {} },
      { expiresIn: 3600, signingDate: new Date(now) },
    );
    const query = Object.entries(signed.query ?? {})
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
      .join('&');
    expect(await verify(`/mqtt?${query}`, now + 60_000)).toMatchObject({ ok: true, identityId });
  });

  it('accepts a URL without X-Amz-Expires for 15 minutes, as the documentation sample builds it, and not after', async () => {
    expect(await verify(documentedUrl(now), now + 14 * 60_000)).toMatchObject({ ok: true, identityId });
    expect(await verify(documentedUrl(now), now + 16 * 60_000)).toEqual({ ok: false, reason: 'Request has expired' });
  });

  it('refuses a wrong secret, another host, a tampered date and an unknown key', async () => {
    const good = await presigned();
    expect(await verify(await presigned({ secretAccessKey: 'nope' }))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('signature we calculated does not match'),
    });
    expect(await verify(good, now, 'evil:1')).toMatchObject({ ok: false });
    expect(await verify(good.replace('T120000Z', 'T120100Z'))).toMatchObject({ ok: false });
    expect(await verify(await presigned({ accessKeyId: 'ASIAOTHER' }))).toEqual({
      ok: false,
      reason: 'The security token included in the request is invalid.',
    });
  });

  it('refuses an expired URL, one signed for another service, and one without the session token', async () => {
    const good = await presigned();
    expect(await verify(good, now + 16 * 60_000)).toEqual({ ok: false, reason: 'Request has expired' });
    expect(await verify(good.replace('iotdevicegateway', 'iotdata'))).toEqual({
      ok: false,
      reason: "Credential should be scoped to correct service: 'iotdevicegateway'.",
    });
    expect(await verify(good.replace(/&X-Amz-Security-Token=[^&]*/, ''))).toEqual({
      ok: false,
      reason: 'The security token included in the request is invalid.',
    });
  });

  it('refuses a URL that signs a header besides host: only the host header of the upgrade counts', async () => {
    expect(await verify(documentedUrl(now, 'host;origin'))).toMatchObject({ ok: false });
  });
});

describe('presignIotWebSocketUrl', () => {
  it('builds a ws URL for /mqtt of the host, valid 15 minutes, with the token appended', async () => {
    const url = new URL(await presignIotWebSocketUrl({ host, region, ...creds, date: new Date(now) }));
    expect(`${url.protocol}//${url.host}${url.pathname}`).toBe(`ws://${host}/mqtt`);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('host');
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe(creds.sessionToken);
    expect([...url.searchParams.keys()].at(-1)).toBe('X-Amz-Security-Token');
  });
});
