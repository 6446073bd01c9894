/**
 * The RSA key that signs every token of the local user pools. Generated on first start into the
 * data folder (mode 0600, never committed: the data folder is git-ignored) and reused after a
 * restart, so tokens issued before a restart still verify. cognito-local ships its key inside the
 * npm package instead, which is why we do not use it.
 */
import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { writeFileAtomically } from '../durable-files/atomic-file.ts';

export interface SigningKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** JWK thumbprint (RFC 7638), the `kid` header of every token. */
  readonly kid: string;
  /** The public key as Cognito publishes it at `/<poolId>/.well-known/jwks.json`. */
  readonly jwks: { readonly keys: readonly JWK[] };
}

export async function loadOrCreateSigningKey(dir: string): Promise<SigningKey> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'signing-key.pem');
  let pem: string;
  try {
    pem = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    pem = await generatePem();
    await writeFileAtomically(file, pem);
  }
  const privateKey = createPrivateKey(pem);
  const publicKey = createPublicKey(privateKey);
  const { kty, n, e } = publicKey.export({ format: 'jwk' });
  if (kty !== 'RSA' || !n || !e) throw new Error(`Signing key in ${file} is ${kty}; expected an RSA key`);
  const kid = await calculateJwkThumbprint({ kty, n, e });
  return { privateKey, publicKey, kid, jwks: { keys: [{ alg: 'RS256', e, kid, kty, n, use: 'sig' }] } };
}

function generatePem(): Promise<string> {
  return new Promise((resolve, reject) =>
    generateKeyPair(
      'rsa',
      { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } },
      (err, _publicKey, privateKey) => (err ? reject(err) : resolve(privateKey)),
    ),
  );
}
