/**
 * SHA-256 and HMAC-SHA256 from `node:crypto` in the shape the AWS SDK and `@smithy/signature-v4`
 * expect of a hash constructor (`new Sha256(secret?)`, `update`, `digest(): Promise<Uint8Array>`),
 * with one difference from the SDK's own `Sha256Node`: a binary HMAC key is turned into a
 * `KeyObject` once and reused.
 *
 * Why: on Node 24 `createHmac('sha256', buffer)` checks whether the buffer is a `KeyObject` or a
 * `CryptoKey` by brand checks that fail slowly (≈ 11 µs per call in a loop, against ≈ 2.5 µs with a
 * `KeyObject`; far more in a busy process: 20 s of the launcher's 158 s of CPU in a 1,000-device bench
 * run, commit 4fdfdff). SigV4 uses one binary key per HMAC it signs or verifies with, and the SDK keeps
 * its derived signing key (one `Uint8Array` per day, region and service), so a key seen once is
 * seen again: the `KeyObject` is remembered per key object (a `WeakMap`, so a dropped key frees its entry).
 */
import { createHash, createHmac, createSecretKey, type Hash, type Hmac, type KeyObject } from 'node:crypto';

/** What SigV4 hashes and keys with (`SourceData` of `@smithy/types`). */
export type HashSource = string | ArrayBuffer | ArrayBufferView;

const keyObjects = new WeakMap<object, KeyObject>();

/** The secret as `createHmac` takes it fastest: strings as they are, binary keys as a remembered `KeyObject`. */
export function hmacKey(secret: HashSource | KeyObject): string | KeyObject {
  if (typeof secret === 'string' || !(ArrayBuffer.isView(secret) || secret instanceof ArrayBuffer)) return secret;
  let key = keyObjects.get(secret);
  if (!key) {
    key = createSecretKey(bytes(secret));
    keyObjects.set(secret, key);
  }
  return key;
}

/** The bytes of a binary source, without copying them. */
function bytes(data: ArrayBuffer | ArrayBufferView): Uint8Array {
  return ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
}

export class NodeSha256 {
  private hash: Hash | Hmac;

  constructor(private readonly secret?: HashSource | KeyObject) {
    this.hash = this.create();
  }

  update(data: HashSource): this {
    this.hash.update(typeof data === 'string' ? data : bytes(data));
    return this;
  }

  /** An HMAC can be digested once; a plain hash again after more updates (as the SDK's `Sha256Node`). */
  digest(): Promise<Uint8Array> {
    const buffer = this.secret === undefined ? (this.hash as Hash).copy().digest() : this.hash.digest();
    return Promise.resolve(new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength));
  }

  digestHex(): string {
    return this.hash.digest('hex');
  }

  reset(): void {
    this.hash = this.create();
  }

  private create(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', hmacKey(this.secret));
  }
}
