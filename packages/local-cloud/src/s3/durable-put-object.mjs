// s3rver 3.7.1 acknowledges a PutObject before the object is on disk: its FilesystemStore.putObject
// resolves right after `writeStream.end(buffer)` (or on the source stream's 'finish', before the
// file stream flushed) and never fsyncs. Measured: an 8 MiB object had 2 MiB on disk when the
// promise resolved. An IoT rule's error action and the Data Service's dead letters must be durable
// when S3 answers (a PUBACK or a queue deletion follows), so PutObject is made durable here: the
// object goes to a temporary file, is fsync'ed, renamed into place and its folder fsync'ed, then
// the metadata s3rver keeps next to it is written and fsync'ed the same way.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Writes `content` (a Buffer or an async iterable of chunks) to `path` atomically and durably. */
async function writeDurably(path, content) {
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const md5 = createHash('md5');
  let size = 0;
  const file = await open(temporary, 'w');
  try {
    const chunks = Buffer.isBuffer(content) || typeof content === 'string' ? [Buffer.from(content)] : content;
    for await (const chunk of chunks) {
      const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
      md5.update(bytes);
      size += bytes.length;
      await file.write(bytes);
    }
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temporary, path);
  return { size, md5: md5.digest('hex') };
}

async function syncDirectory(path) {
  const directory = await open(path, 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}

/** Replaces `store.putObject` (s3rver's FilesystemStore) with a durable one; same result shape. */
export function makePutObjectDurable(store) {
  const putMetadata = store.putMetadata.bind(store);
  store.putMetadata = async (bucket, key, metadata, md5) => {
    await putMetadata(bucket, key, metadata, md5);
    for (const kind of ['object.md5', 'metadata.json']) {
      const path = store.getResourcePath(bucket, key, kind);
      const handle = await open(path, 'r').catch(() => undefined);
      if (!handle) continue;
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
  };
  store.putObject = async (object) => {
    const path = store.getResourcePath(object.bucket, object.key, 'object');
    await mkdir(dirname(path), { recursive: true });
    const { size, md5 } = await writeDurably(path, object.content);
    await store.putMetadata(object.bucket, object.key, object.metadata, md5);
    await syncDirectory(dirname(path));
    return { size, md5 };
  };
  return store;
}
