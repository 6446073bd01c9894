/**
 * A durable JSON document on disk: the whole state is rewritten atomically (write to a temp file,
 * fsync, rename) so a crash leaves either the old or the new file, never a torn one. Saves that
 * arrive while a write is in flight are coalesced into the next write, so a burst of N changes
 * costs two writes, not N. Good for thousands of records; not a database.
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { readJsonFile, writeFileAtomically } from '../durable-files/atomic-file.ts';

export interface JsonFileStore<T> {
  /** The live document; mutate it, then call `save()`. */
  readonly data: T;
  /** Resolves once a write containing every change made before this call is on disk. */
  save(): Promise<void>;
}

export interface JsonFileStoreOptions<T> {
  readonly file: string;
  /** Document used when the file does not exist yet. */
  readonly initial: () => T;
  /** Called on each write, e.g. to prune expired records first. */
  readonly beforeWrite?: (data: T) => void;
}

export async function openJsonFileStore<T>(options: JsonFileStoreOptions<T>): Promise<JsonFileStore<T>> {
  await mkdir(dirname(options.file), { recursive: true });
  const data = (await readJsonFile<T>(options.file, 'the document this store wrote')) ?? options.initial();
  let dirty = false;
  let writing: Promise<void> | undefined;

  async function writeLoop(): Promise<void> {
    try {
      while (dirty) {
        dirty = false;
        options.beforeWrite?.(data);
        await writeFileAtomically(options.file, JSON.stringify(data));
      }
    } catch (err) {
      dirty = true; // the next save retries the changes this write lost
      throw err;
    } finally {
      // Cleared in the same tick as the last `dirty` check, so a later save always starts a new loop.
      writing = undefined;
    }
  }

  return {
    data,
    save() {
      dirty = true;
      writing ??= writeLoop();
      return writing;
    },
  };
}
