/**
 * Whole files written atomically and durably: the content goes to a temporary file of its own,
 * which is fsync'ed and renamed over the target, and then the folder is fsync'ed so that the
 * rename itself survives a power loss (rename(2) is atomic, but only the folder's fsync makes it
 * durable). A crash leaves the previous file or the new one, never a torn one. Every stand-in that
 * keeps a document (Cognito, CloudWatch, the IoT registry and CA, DynamoDB TTL settings, the
 * launcher's credentials) writes through here.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface AtomicWriteOptions {
  /** Permission bits of a new file. Local state holds keys and tokens: owner only. @default 0o600 */
  readonly mode?: number;
}

/**
 * A temporary name no other write shares: two writes of one file in flight at once (or from two
 * processes) must not write into, or rename, each other's half-written temporary file.
 */
const temporaryName = (file: string) => `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;

export async function writeFileAtomically(file: string, content: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temporary = temporaryName(file);
  try {
    const handle = await open(temporary, 'w', options.mode ?? 0o600);
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, file);
  } catch (err) {
    await rm(temporary, { force: true });
    throw err;
  }
  await syncFolder(dirname(file));
}

/** fsync of a folder: makes the creation, rename or removal of its entries durable. */
export async function syncFolder(path: string): Promise<void> {
  const folder = await open(path, 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}

/** The same, blocking: for state whose callers save synchronously after each change (the IoT registry). */
export function writeFileAtomicallySync(file: string, content: string | Uint8Array, options: AtomicWriteOptions = {}): void {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = temporaryName(file);
  try {
    const fd = openSync(temporary, 'w', options.mode ?? 0o600);
    try {
      writeFileSync(fd, content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, file);
  } catch (err) {
    rmSync(temporary, { force: true });
    throw err;
  }
  const folder = openSync(dirname(file), 'r');
  try {
    fsyncSync(folder);
  } finally {
    closeSync(folder);
  }
}

/**
 * A JSON document written by one of the writers above: undefined when the file does not exist yet;
 * a file that is not JSON is an error naming it and what should be there (`expected`).
 */
export async function readJsonFile<T>(file: string, expected: string): Promise<T | undefined> {
  return parseJsonFile<T>(file, expected, await readOrUndefined(() => readFile(file, 'utf8')));
}

export function readJsonFileSync<T>(file: string, expected: string): T | undefined {
  try {
    return parseJsonFile<T>(file, expected, readFileSync(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function readOrUndefined(read: () => Promise<string>): Promise<string | undefined> {
  try {
    return await read();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function parseJsonFile<T>(file: string, expected: string, text: string | undefined): T | undefined {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new Error(`${file} is not valid JSON; expected ${expected}`, { cause: err });
  }
}
