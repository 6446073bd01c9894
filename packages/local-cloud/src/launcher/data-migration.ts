/**
 * Moves a data folder of the layout before issue 8 to the one of `data-layout.ts`, at start and
 * before any stand-in opens a file. Until then DynamoDB, S3 and SQS nested their own name twice
 * (`dynamodb/dynamodb`, `s3/s3`, `sqs/sqs`) and the devices' CA certificate sat in `ca/`.
 *
 * Each move is one rename(2) within the data folder, so it is atomic and nothing is copied or
 * deleted; a move whose source is gone is done, so running it again (or after a crash half-way)
 * finishes the rest and then does nothing. A folder holding both the old and the new place of the
 * same state is not guessed at: the launcher refuses to start and names both paths.
 */
import { mkdir, rename, rmdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import { syncFolder } from '../durable-files/atomic-file.ts';

/** Old place → new place, relative to the data folder. */
export const layoutMoves: readonly { readonly from: string; readonly to: string }[] = [
  { from: 'dynamodb/dynamodb', to: 'dynamodb/leveldb' },
  { from: 'dynamodb/dynamodb-ttl.json', to: 'dynamodb/ttl.json' },
  { from: 's3/s3', to: 's3/buckets' },
  { from: 'sqs/sqs', to: 'sqs/leveldb' },
  { from: 'ca/root-ca.pem', to: 'iot/root-ca.pem' },
];

/** Folders of the old layout that hold nothing once their content moved. */
const emptiedFolders = ['ca'];

export interface Migration {
  readonly moved: readonly { readonly from: string; readonly to: string }[];
}

export class DataLayoutConflict extends Error {
  override readonly name = 'DataLayoutConflict';
}

export async function migrateDataLayout(root: string, log: Logger): Promise<Migration> {
  const pending: { from: string; to: string }[] = [];
  const conflicts: string[] = [];
  for (const move of layoutMoves) {
    const from = join(root, move.from);
    const to = join(root, move.to);
    if (!(await exists(from))) continue;
    if (await exists(to)) conflicts.push(`${from} and ${to}`);
    else pending.push({ from, to });
  }
  if (conflicts.length > 0) {
    throw new DataLayoutConflict(
      `The data folder ${root} holds the same state in its old and its new place: ${conflicts.join('; ')}. ` +
        'Expected only one of each pair; move the one you do not want out of the data folder and start again.',
    );
  }
  for (const { from, to } of pending) {
    await mkdir(dirname(to), { recursive: true });
    await rename(from, to);
    // The rename is durable once both folders' entries are on disk.
    await syncFolder(dirname(to));
    if (dirname(from) !== dirname(to)) await syncFolder(dirname(from));
    log.info({ from, to }, 'moved to the data-folder layout <data>/<stand-in>/');
  }
  for (const folder of emptiedFolders) {
    try {
      await rmdir(join(root, folder));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // Absent, or holding something the old layout did not put there: left as it is.
      if (code !== 'ENOENT' && code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
    }
  }
  return { moved: pending };
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}
