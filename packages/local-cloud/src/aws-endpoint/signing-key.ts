/**
 * The SigV4 signing key derivation with a small cache (a key is valid for one day, region and
 * service), kept as a `KeyObject`: HMAC with a binary key is slow on Node 24 (`@fleet/core/aws-sdk`
 * node-sha256.ts says why). The hash constructor itself is `NodeSha256` of `@fleet/core/aws-sdk`.
 */
import { createHash, createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { boundedMemo } from '../memo/bounded-memo.ts';

const signingKeys = boundedMemo<KeyObject>(256);

/** kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, day), region), service), "aws4_request"). */
export function signingKey(secret: string, day: string, region: string, service: string): KeyObject {
  const cacheKey = `${createHash('sha256').update(secret).digest('hex')}/${day}/${region}/${service}`;
  return signingKeys.get(cacheKey, () => {
    let key: Buffer = Buffer.from(`AWS4${secret}`, 'utf8');
    for (const part of [day, region, service, 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
    return createSecretKey(key);
  });
}
