import { SignatureV4 } from '@smithy/signature-v4';
import type { HttpRequest } from '@smithy/types';
import { describe, expect, it } from 'vitest';
import { NodeSha256 } from '@fleet/core/aws-sdk';
import { verifySigV4, type SignatureRules, type SigningCredentials, type SigningCredentialsResolver } from './sigv4-verifier.ts';

const keys = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' };
const temporary = { accessKeyId: 'ASIATEST', secretAccessKey: 'temporary-secret', sessionToken: 'session-token' };
const known: Record<string, SigningCredentials> = {
  [keys.accessKeyId]: { secretAccessKey: keys.secretAccessKey },
  [temporary.accessKeyId]: {
    secretAccessKey: temporary.secretAccessKey,
    sessionToken: temporary.sessionToken,
    expiresAt: Date.UTC(2030, 0),
  },
};
const now = Date.UTC(2026, 0, 15, 12);
const host = '127.0.0.1:4566';

const request = (path: string, query: Record<string, string> = {}): HttpRequest => ({
  method: 'GET',
  protocol: 'http:',
  hostname: '127.0.0.1',
  port: 4566,
  path,
  query,
  headers: { host },
});

async function presignedUrl(
  service: string,
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
  expiresIn = 300,
): Promise<string> {
  const signer = new SignatureV4({ service, region: 'us-east-1', credentials, sha256: NodeSha256 });
  const signed = await signer.presign(request('/path'), { expiresIn, signingDate: new Date(now) });
  const query = Object.entries(signed.query ?? {}).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return `/path?${query.join('&')}`;
}

const verify = (
  rawUrl: string,
  rules?: SignatureRules,
  at = now,
  resolve: SigningCredentialsResolver<SigningCredentials> = (id) => known[id],
) =>
  verifySigV4({ method: 'GET', rawUrl, headers: { host }, headersDistinct: { host: [host] }, body: Buffer.alloc(0) }, resolve, at, rules);

describe('verifySigV4 on presigned URLs', () => {
  it('accepts a URL presigned by the SDK and answers the credentials found', async () => {
    expect(await verify(await presignedUrl('sqs', keys))).toEqual({
      ok: true,
      accessKeyId: keys.accessKeyId,
      credentials: known[keys.accessKeyId],
    });
  });

  it('takes the credentials from an asynchronous resolver too', async () => {
    const verified = await verify(await presignedUrl('sqs', keys), {}, now, (id) => Promise.resolve(known[id]));
    expect(verified.ok).toBe(true);
  });

  it('requires X-Amz-Expires unless the rules give a default lifetime', async () => {
    const url = (await presignedUrl('sqs', keys)).replace(/&X-Amz-Expires=\d+/, '');
    expect(await verify(url)).toMatchObject({ ok: false, kind: 'incomplete', message: expect.stringContaining('X-Amz-Expires') });
    // With a default lifetime the parameter may be absent (the signature, computed with it, no longer matches here).
    expect(await verify(url, { defaultExpiresSeconds: 900 })).toMatchObject({ ok: false, kind: 'signature' });
  });

  it('refuses a session token appended after signing, unless the rules allow that parameter to be unsigned', async () => {
    const signedWithout = await presignedUrl('iotdevicegateway', {
      accessKeyId: temporary.accessKeyId,
      secretAccessKey: temporary.secretAccessKey,
    });
    const appended = `${signedWithout}&X-Amz-Security-Token=${temporary.sessionToken}`;
    expect(await verify(appended)).toMatchObject({ ok: false, kind: 'signature' });
    expect(await verify(appended, { unsignedQueryParameters: ['X-Amz-Security-Token'] })).toMatchObject({ ok: true });
    // Unsigned parameters are only ever skipped, never invented: the token is still required.
    expect(await verify(signedWithout, { unsignedQueryParameters: ['X-Amz-Security-Token'] })).toMatchObject({
      ok: false,
      kind: 'invalid-token',
    });
  });

  it('still accepts the token inside the signature when the rules allow it outside', async () => {
    expect(
      await verify(await presignedUrl('iotdevicegateway', temporary), { unsignedQueryParameters: ['X-Amz-Security-Token'] }),
    ).toMatchObject({
      ok: true,
    });
  });

  it('refuses a credential scoped to another service than the rules name', async () => {
    expect(await verify(await presignedUrl('iotdata', keys), { service: 'iotdevicegateway' })).toEqual({
      ok: false,
      kind: 'signature',
      message: "Credential should be scoped to correct service: 'iotdevicegateway'.",
    });
  });

  it('refuses a URL past X-Amz-Expires, and expired temporary credentials', async () => {
    expect(await verify(await presignedUrl('sqs', keys, 60), {}, now + 61_000)).toMatchObject({ ok: false, kind: 'presign-expired' });
    expect(
      await verify(await presignedUrl('sqs', temporary), {}, now, () => ({ ...known[temporary.accessKeyId]!, expiresAt: now })),
    ).toMatchObject({
      ok: false,
      kind: 'expired-token',
    });
  });
});
