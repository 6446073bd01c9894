/**
 * AWS IoT SQL hashing functions (https://docs.aws.amazon.com/iot/latest/developerguide/iot-sql-functions.html#iot-sql-function-hash):
 * "All hash functions expect one string argument. The result is the hashed value of that string.
 * Standard string conversions apply to non-string arguments." The result is lower-case hex.
 * Browser-safe (`@fleet/core` is imported by the web app): @noble/hashes, not node:crypto.
 */
import { md5, sha1 } from '@noble/hashes/legacy.js';
import { sha224, sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { SqlFunctionEntry } from './function-entry.ts';
import { md2 } from './md2.ts';
import { toSqlString } from './values.ts';

const hashOfString =
  (digest: (bytes: Uint8Array) => Uint8Array): SqlFunctionEntry['fn'] =>
  ([value]) => {
    const text = toSqlString(value);
    return text === undefined ? undefined : bytesToHex(digest(new TextEncoder().encode(text)));
  };

const hash = (digest: (bytes: Uint8Array) => Uint8Array): SqlFunctionEntry => ({ fn: hashOfString(digest), min: 1, max: 1 });

export const hashFunctions: Readonly<Record<string, SqlFunctionEntry>> = {
  md2: hash(md2),
  md5: hash(md5),
  sha1: hash(sha1),
  sha224: hash(sha224),
  sha256: hash(sha256),
  sha384: hash(sha384),
  sha512: hash(sha512),
};
