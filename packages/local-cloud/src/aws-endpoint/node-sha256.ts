/**
 * SHA-256 and HMAC-SHA256 from `node:crypto` in the shape `@smithy/signature-v4` expects of a hash
 * constructor (`new Sha256(secret?)`, `update`, `digest(): Promise<Uint8Array>`), and the SigV4
 * signing key derivation with a small cache (a key is valid for one day, region and service).
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import type { SourceData } from '@smithy/types';
import { boundedMemo } from '../memo/bounded-memo.ts';

export class NodeSha256 {
  private hash: Hash | Hmac;

  constructor(private readonly secret?: SourceData) {
    this.hash = this.create();
  }

  update(data: Uint8Array | string): this {
    this.hash.update(data);
    return this;
  }

  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }

  digestHex(): string {
    return this.hash.digest('hex');
  }

  reset(): void {
    this.hash = this.create();
  }

  private create(): Hash | Hmac {
    if (this.secret === undefined) return createHash('sha256');
    const secret = this.secret;
    return createHmac(
      'sha256',
      typeof secret === 'string'
        ? secret
        : Buffer.from(ArrayBuffer.isView(secret) ? secret.buffer.slice(secret.byteOffset, secret.byteOffset + secret.byteLength) : secret),
    );
  }
}

const signingKeys = boundedMemo<Buffer>(256);

/** kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, day), region), service), "aws4_request"). */
export function signingKey(secret: string, day: string, region: string, service: string): Buffer {
  const cacheKey = `${createHash('sha256').update(secret).digest('hex')}/${day}/${region}/${service}`;
  return signingKeys.get(cacheKey, () => {
    let key: Buffer = Buffer.from(`AWS4${secret}`, 'utf8');
    for (const part of [day, region, service, 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
    return key;
  });
}
