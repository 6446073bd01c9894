// Child process entry: s3rver on loopback with its files under the given folder.
// Must run under `node --openssl-legacy-provider`: s3rver encrypts ListObjectsV2 continuation
// tokens with DES, which OpenSSL 3 only offers through the legacy provider (NOTES.md: otherwise
// a truncated listing answers 500 ERR_OSSL_EVP_UNSUPPORTED).
// `node --openssl-legacy-provider s3rver-main.mjs <directory> [port]`; prints "ready on port N".
import S3rver from 's3rver';
import { announceReady, exitWithParent } from '../child-process/child-entry.mjs';
import { makePutObjectDurable } from './durable-put-object.mjs';

const [directory, port = '0'] = process.argv.slice(2);
if (!directory) throw new Error(`usage: s3rver-main.mjs <directory> [port]; received ${JSON.stringify(process.argv.slice(2))}`);

const s3rver = new S3rver({
  address: '127.0.0.1',
  port: Number(port),
  directory,
  silent: true,
  // Path-style only: the forwarding handler rewrites Host to loopback, so no host is a bucket.
  vhostBuckets: false,
  // The local AWS endpoint has verified the signature and the caller's IAM permissions before a
  // request gets here; s3rver only knows its own key (the forwarding handler names it).
  allowMismatchedSignatures: true,
});
// An answered PutObject is on disk (error-action dead letters precede a PUBACK): durable-put-object.mjs.
makePutObjectDurable(s3rver.store);
const address = await s3rver.run();
exitWithParent(() => s3rver.close());
announceReady(address.port);
