/**
 * Durable storage of the Jobs stand-in: LevelDB (classic-level) with group commit and fsync, as
 * the SQS stand-in stores messages (sqs/sqs-store.ts), so an accepted CreateJob or
 * UpdateJobExecution survives `kill -9` and a power cut before its answer (and a device's PUBACK)
 * goes out. The whole state is small (jobs and executions, not message bodies): it is read once at
 * start and served from memory.
 *
 * Key layout (`!` cannot appear in job ids or thing names):
 *   j!<jobId>                                → JobRecord
 *   e!<thingName>!<jobId>!<executionNumber>  → ExecutionRecord
 */
import { ClassicLevel } from 'classic-level';
import { createGroupCommitWriter, type LevelOp } from '../../durable-files/level-group-commit.ts';
import { executionKeyOf, type ExecutionRecord, type JobRecord } from './job-records.ts';

export interface JobChanges {
  readonly jobs?: readonly JobRecord[];
  readonly executions?: readonly ExecutionRecord[];
  readonly deletedJobs?: readonly string[];
  readonly deletedExecutions?: readonly ExecutionRecord[];
}

export interface JobStore {
  load(): Promise<{ jobs: JobRecord[]; executions: ExecutionRecord[] }>;
  /** Durable once resolved; changes are written in the order they were given. */
  commit(changes: JobChanges): Promise<void>;
  /** Resolves once every change given so far is durable. */
  drain(): Promise<void>;
  close(): Promise<void>;
}

const jobKey = (jobId: string) => `j!${jobId}`;
const executionKey = (e: ExecutionRecord) => `e!${executionKeyOf(e)}`;

export async function openJobStore(location: string): Promise<JobStore> {
  const db = new ClassicLevel<string, string>(location, { keyEncoding: 'utf8', valueEncoding: 'utf8' });
  try {
    await db.open();
  } catch (err) {
    throw new Error(`Cannot open the IoT Jobs store at ${location}; is another local cloud using this data folder?`, { cause: err });
  }
  const writer = createGroupCommitWriter(db);
  return {
    async load() {
      const jobs: JobRecord[] = [];
      for await (const [, value] of db.iterator({ gte: 'j!', lt: 'j"' })) jobs.push(JSON.parse(value) as JobRecord);
      const executions: ExecutionRecord[] = [];
      for await (const [, value] of db.iterator({ gte: 'e!', lt: 'e"' })) executions.push(JSON.parse(value) as ExecutionRecord);
      return { jobs, executions };
    },
    commit(changes) {
      // Snapshots of the records now: the engine keeps mutating its in-memory copies.
      const ops: LevelOp[] = [
        ...(changes.jobs ?? []).map((job): LevelOp => ({ type: 'put', key: jobKey(job.jobId), value: JSON.stringify(job) })),
        ...(changes.executions ?? []).map((e): LevelOp => ({ type: 'put', key: executionKey(e), value: JSON.stringify(e) })),
        ...(changes.deletedExecutions ?? []).map((e): LevelOp => ({ type: 'del', key: executionKey(e) })),
        ...(changes.deletedJobs ?? []).map((jobId): LevelOp => ({ type: 'del', key: jobKey(jobId) })),
      ];
      return ops.length === 0 ? writer.drain() : writer.write(ops, true);
    },
    drain: () => writer.drain(),
    async close() {
      await writer.drain();
      await db.close();
    },
  };
}
