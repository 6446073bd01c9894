/**
 * Dead-letter queue redrive: SQS message move tasks (StartMessageMoveTask, ListMessageMoveTasks,
 * CancelMessageMoveTask, https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-configure-dead-letter-queue-redrive.html).
 *
 * A task moves the messages a dead-letter queue holds when it starts (`ApproximateNumberOfMessagesToMove`)
 * to a destination queue, or, without one, each back to the queue it was dead-lettered from (its
 * `DeadLetterQueueSourceArn`). Each message moves in one atomic, fsync'ed store write (sqs-engine.ts
 * `moveVisible`): a crash mid-task leaves every message in exactly one of the two queues. Only
 * visible messages move; one that is being received stays where it is, as on AWS.
 *
 * Behaviour copied from AWS: one RUNNING task per source queue; the source must be some queue's
 * DLQ; the ten most recent tasks are listed, newest first, `TaskHandle` only while RUNNING; a
 * destination deleted mid-task fails it with `AWS.SimpleQueueService.NonExistentQueue`.
 * Tasks are memory only: after a restart the list is empty and a task that was running stops
 * (what it moved stays moved; start another for the rest).
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { queueArn } from './sqs-attributes.ts';
import type { SqsEngine } from './sqs-engine.ts';
import { invalidParameter, sqsError } from './sqs-errors.ts';

export type MoveTaskStatus = 'RUNNING' | 'COMPLETED' | 'CANCELLING' | 'CANCELLED' | 'FAILED';

/** One task as ListMessageMoveTasks answers it (ResultEntry of the SQS API). */
export interface MoveTaskEntry {
  readonly TaskHandle?: string;
  readonly Status: MoveTaskStatus;
  readonly SourceArn: string;
  readonly DestinationArn?: string;
  readonly MaxNumberOfMessagesPerSecond?: number;
  readonly ApproximateNumberOfMessagesMoved: number;
  readonly ApproximateNumberOfMessagesToMove: number;
  readonly FailureReason?: string;
  /** Epoch ms. */
  readonly StartedTimestamp: number;
}

interface MoveTask {
  readonly id: string;
  readonly handle: string;
  readonly source: string;
  readonly destination?: string;
  readonly maxPerSecond?: number;
  readonly toMove: number;
  readonly startedAt: number;
  status: MoveTaskStatus;
  moved: number;
  failureReason?: string;
}

export interface MoveTasks {
  /** Starts a task; returns its handle. */
  start(input: { sourceArn: string; destinationArn?: string; maxPerSecond?: number }): string;
  list(sourceArn: string, maxResults: number): MoveTaskEntry[];
  /** Cancels a RUNNING task; returns how many messages it had moved. */
  cancel(handle: string): number;
  /** Stops every running task (the stand-in closes). */
  close(): Promise<void>;
}

/** AWS lists the ten most recent tasks of a source queue. */
const kept = 10;
/** Messages per store write; AWS's rate without MaxNumberOfMessagesPerSecond is "optimized". */
const chunk = 10;

/** The source queue ARN a task handle of this stand-in names, or undefined for a handle it did not issue. */
export function moveTaskSourceArn(handle: string): string | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(handle, 'base64').toString('utf8')) as { sourceArn?: unknown };
    return typeof parsed?.sourceArn === 'string' ? parsed.sourceArn : undefined;
  } catch {
    return undefined;
  }
}

const queueNameOfArn = (arn: string) => (/^arn:aws:sqs:[^:]*:[^:]*:([A-Za-z0-9_-]{1,80})$/.exec(arn) ?? [])[1];
const notFound = (what: string) =>
  sqsError('ResourceNotFoundException', `The resource that you specified for the ${what} parameter doesn't exist.`);

export function createMoveTasks(deps: { readonly engine: SqsEngine; readonly log?: Logger }): MoveTasks {
  const { engine, log } = deps;
  const bySource = new Map<string, MoveTask[]>();
  const running = new Set<Promise<void>>();
  let closed = false;

  function entry(task: MoveTask): MoveTaskEntry {
    return {
      ...(task.status === 'RUNNING' ? { TaskHandle: task.handle } : {}),
      Status: task.status,
      SourceArn: queueArn(task.source),
      ...(task.destination !== undefined ? { DestinationArn: queueArn(task.destination) } : {}),
      ...(task.maxPerSecond !== undefined ? { MaxNumberOfMessagesPerSecond: task.maxPerSecond } : {}),
      ApproximateNumberOfMessagesMoved: task.moved,
      ApproximateNumberOfMessagesToMove: task.toMove,
      ...(task.failureReason !== undefined ? { FailureReason: task.failureReason } : {}),
      StartedTimestamp: task.startedAt,
    };
  }

  async function run(task: MoveTask): Promise<void> {
    const started = Date.now();
    while (task.status === 'RUNNING' && task.moved < task.toMove && !closed) {
      const want = Math.min(chunk, task.toMove - task.moved, task.maxPerSecond ?? chunk);
      const result = await engine.moveVisible(task.source, want, task.destination);
      task.moved += result.moved;
      if (result.failure !== undefined) {
        task.status = 'FAILED';
        task.failureReason = result.failure;
        break;
      }
      // Nothing visible is left: the rest was received or deleted meanwhile.
      if (result.moved === 0) break;
      // MaxNumberOfMessagesPerSecond: stay on the line `moved = rate × elapsed`.
      const ahead = task.maxPerSecond ? started + (task.moved / task.maxPerSecond) * 1000 - Date.now() : 0;
      await new Promise((resolve) => (ahead > 0 ? setTimeout(resolve, ahead) : setImmediate(resolve)));
    }
    if (task.status === 'RUNNING') task.status = 'COMPLETED';
    else if (task.status === 'CANCELLING') task.status = 'CANCELLED';
    log?.info({ source: task.source, status: task.status, moved: task.moved, toMove: task.toMove }, 'message move task ended');
  }

  return {
    start({ sourceArn, destinationArn, maxPerSecond }) {
      const source = queueNameOfArn(sourceArn);
      if (source === undefined || !engine.hasQueue(source)) throw notFound('SourceArn');
      const destination = destinationArn === undefined ? undefined : queueNameOfArn(destinationArn);
      if (destinationArn !== undefined && (destination === undefined || !engine.hasQueue(destination))) throw notFound('DestinationArn');
      if (engine.redriveSources(source).length === 0) throw invalidParameter('Source queue must be configured as a Dead Letter Queue.');
      const tasks = bySource.get(source) ?? [];
      if (tasks.some((t) => t.status === 'RUNNING' || t.status === 'CANCELLING')) {
        throw invalidParameter('There is already a task running. Only one active task is allowed for a source queue arn at a given time.');
      }
      const id = randomUUID();
      const task: MoveTask = {
        id,
        handle: Buffer.from(JSON.stringify({ taskId: id, sourceArn: queueArn(source) })).toString('base64'),
        source,
        ...(destination !== undefined ? { destination } : {}),
        ...(maxPerSecond !== undefined ? { maxPerSecond } : {}),
        toMove: engine.visibleCount(source),
        startedAt: Date.now(),
        status: 'RUNNING',
        moved: 0,
      };
      bySource.set(source, [task, ...tasks].slice(0, kept));
      const work: Promise<void> = run(task)
        .catch((err: unknown) => {
          task.status = 'FAILED';
          task.failureReason = err instanceof Error ? err.message : String(err);
          log?.error({ err, source }, 'message move task failed');
        })
        .finally(() => running.delete(work));
      running.add(work);
      return task.handle;
    },

    list(sourceArn, maxResults) {
      const source = queueNameOfArn(sourceArn);
      if (source === undefined || !engine.hasQueue(source)) throw notFound('SourceArn');
      return (bySource.get(source) ?? []).slice(0, maxResults).map(entry);
    },

    cancel(handle) {
      let parsed: { taskId?: unknown; sourceArn?: unknown };
      try {
        parsed = JSON.parse(Buffer.from(handle, 'base64').toString('utf8')) as typeof parsed;
      } catch {
        throw invalidParameter('Value for parameter TaskHandle is invalid.');
      }
      if (typeof parsed?.taskId !== 'string' || typeof parsed.sourceArn !== 'string') {
        throw invalidParameter('Value for parameter TaskHandle is invalid.');
      }
      const source = queueNameOfArn(parsed.sourceArn);
      if (source === undefined || !engine.hasQueue(source)) throw notFound('SourceArn');
      const task = bySource.get(source)?.find((t) => t.id === parsed.taskId);
      if (!task) throw sqsError('ResourceNotFoundException', 'Task does not exist.');
      if (task.status !== 'RUNNING') throw invalidParameter(`Only a RUNNING task can be cancelled; this task is ${task.status}.`);
      task.status = 'CANCELLING';
      return task.moved;
    },

    async close() {
      closed = true;
      await Promise.all([...running]);
    },
  };
}
