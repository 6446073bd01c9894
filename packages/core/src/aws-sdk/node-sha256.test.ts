import { createSecretKey } from 'node:crypto';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { hmacKey, NodeSha256 } from './node-sha256.ts';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('NodeSha256', () => {
  it('hashes as SHA-256 (FIPS 180-2 "abc"), and a plain hash digests again after more input', async () => {
    const hash = new NodeSha256().update('ab');
    hash.update(new TextEncoder().encode('c'));
    expect(hex(await hash.digest())).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    hash.update(new Uint8Array(0).buffer);
    expect(hex(await hash.digest())).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('computes HMAC-SHA256 with string, Buffer, Uint8Array view, ArrayBuffer and KeyObject keys (RFC 4231 test case 2 and 1)', async () => {
    const expected = '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843';
    const keyBytes = new TextEncoder().encode('Jefe');
    // A view into a larger buffer: only its own bytes are the key.
    const padded = new Uint8Array([9, ...keyBytes, 9]).subarray(1, 5);
    for (const key of ['Jefe', Buffer.from('Jefe'), keyBytes, padded, keyBytes.buffer, createSecretKey(keyBytes)]) {
      expect(hex(await new NodeSha256(key).update('what do ya want for nothing?').digest())).toBe(expected);
    }
    const key1 = new Uint8Array(20).fill(0x0b);
    expect(new NodeSha256(key1).update('Hi There').digestHex()).toBe('b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7');
  });

  it('turns a binary key into one KeyObject, remembered per key object', () => {
    const key = new Uint8Array(32).fill(7);
    const first = hmacKey(key);
    expect(first).toHaveProperty('type', 'secret');
    expect(hmacKey(key)).toBe(first);
    expect(hmacKey(new Uint8Array(32).fill(7))).not.toBe(first);
    expect(hmacKey('text')).toBe('text');
  });

  it('reset starts over with the same key', async () => {
    const hmac = new NodeSha256('key').update('ignored');
    hmac.reset();
    hmac.update('message');
    expect(hex(await hmac.digest())).toBe(hex(await new NodeSha256('key').update('message').digest()));
  });

  it('signs a request exactly as the SDK does with its pure-JavaScript SHA-256 (the same signature, twice, once the signing key is cached)', async () => {
    const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
    const request = {
      method: 'POST',
      protocol: 'https:',
      hostname: 'dynamodb.us-east-1.amazonaws.com',
      path: '/',
      headers: {
        host: 'dynamodb.us-east-1.amazonaws.com',
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'DynamoDB_20120810.GetItem',
      },
      body: '{"TableName":"t","Key":{"pk":{"S":"a"}}}',
    };
    const signingDate = new Date('2026-12-03T10:00:00Z');
    const ours = new SignatureV4({ service: 'dynamodb', region: 'us-east-1', credentials, sha256: NodeSha256 });
    const reference = new SignatureV4({ service: 'dynamodb', region: 'us-east-1', credentials, sha256: Sha256 });
    const expected = (await reference.sign(structuredClone(request), { signingDate })).headers['authorization'];
    expect(expected).toMatch(/Signature=[0-9a-f]{64}$/);
    for (let i = 0; i < 2; i++)
      expect((await ours.sign(structuredClone(request), { signingDate })).headers['authorization']).toBe(expected);
  });
});
