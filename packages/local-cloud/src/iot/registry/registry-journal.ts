/**
 * An append-only journal of JSON lines, one line per committed change, each fdatasync'ed before
 * `append` returns (≈ 0.2 ms here: the registry's callers are synchronous, so there is no batch to
 * group-commit). A crash can leave only the last line torn (no newline): it was never acknowledged,
 * so replay drops it and the file is cut back to its last whole line before the next append.
 */
import { closeSync, fdatasyncSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';

export interface RegistryJournal {
  /** The committed lines' values, oldest first. */
  replay(): unknown[];
  /** Appends one line holding `value`, durably. */
  append(value: unknown): void;
  /** The journal's size in bytes. */
  bytes(): number;
  /** Empties the journal, durably (its content is in a snapshot now). */
  truncate(): void;
  close(): void;
}

export function openRegistryJournal(file: string): RegistryJournal {
  let fd: number | undefined;
  let size = 0;
  const opened = (): number => (fd ??= openSync(file, 'a+', 0o600));
  return {
    replay() {
      const { values, wholeBytes, totalBytes } = parseJournal(file);
      size = wholeBytes;
      if (totalBytes > wholeBytes) {
        ftruncateSync(opened(), wholeBytes);
        fdatasyncSync(opened());
      }
      return values;
    },
    append(value) {
      const line = `${JSON.stringify(value)}\n`;
      const descriptor = opened();
      size += writeSync(descriptor, line);
      fdatasyncSync(descriptor);
    },
    bytes: () => size,
    truncate() {
      const descriptor = opened();
      ftruncateSync(descriptor, 0);
      fdatasyncSync(descriptor);
      size = 0;
    },
    close() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}

function readOrEmpty(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return Buffer.alloc(0);
    throw err;
  }
}

/** The values of the whole lines and their length in bytes; a line that is whole but not JSON is corruption, not a crash. */
function parseJournal(file: string): { values: unknown[]; wholeBytes: number; totalBytes: number } {
  const content = readOrEmpty(file);
  const wholeBytes = content.lastIndexOf(0x0a) + 1;
  const lines = content.subarray(0, wholeBytes).toString('utf8').split('\n');
  lines.pop();
  const values = lines.map((line, index) => {
    try {
      return JSON.parse(line) as unknown;
    } catch (err) {
      throw new Error(`${file} line ${index + 1} is not JSON; expected one registry change a line`, { cause: err });
    }
  });
  return { values, wholeBytes, totalBytes: content.length };
}
