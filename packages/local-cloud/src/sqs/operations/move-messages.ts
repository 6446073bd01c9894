/**
 * The engine side of message move tasks (StartMessageMoveTask, sqs-move-tasks.ts): moves visible
 * messages of a queue, usually a dead-letter queue, to a destination or each back to the queue it
 * was dead-lettered from. Each message moves in one durable write, so it is in exactly one queue
 * at any time; a moved message is a new message in its destination (new SentTimestamp).
 */
import { getQueue, addRef, wake, type SqsState } from '../sqs-state.ts';
import type { StoredMessage } from '../sqs-store.ts';
import { release } from './lifetime.ts';

/**
 * Moves up to `max` visible messages of `source` to `destination`, or each to the queue it was
 * dead-lettered from; `failure` is the reason the move stopped (AWS's FailureReason of a task).
 */
export async function moveVisible(
  state: SqsState,
  source: string,
  max: number,
  destination?: string,
): Promise<{ moved: number; failure?: string }> {
  const { store, log } = state;
  const queue = getQueue(state, source);
  release(state, queue, Date.now());
  const refs = queue.index.takeVisible(max);
  // Out of sight while they move, as a redrive does; those that do not move become visible again.
  for (const ref of refs) queue.index.hide(ref, Number.MAX_SAFE_INTEGER);
  const messages = await store.getMessages(
    queue.stored,
    refs.map((ref) => ref.seq),
  );
  let failure: string | undefined;
  const moves = refs.map(async (ref, i) => {
    const message = messages[i];
    const target = destination ?? message?.deadLetterSource;
    const to = target === undefined ? undefined : state.queues.get(target);
    if (!message || ref.state === 'gone' || !to || failure !== undefined) {
      if (message && !to) failure ??= target === undefined ? 'CouldNotDetermineMessageSource' : 'AWS.SimpleQueueService.NonExistentQueue';
      if (ref.state !== 'gone') queue.index.makeVisible(ref);
      return 0;
    }
    const seq = to.nextSeq++;
    // A new message in its destination: its retention counts from now, not from its first send.
    const { deadLetterSource: _source, delayedUntil: _delay, ...rest } = message;
    const moved: StoredMessage = { ...rest, sentTimestamp: Date.now() };
    try {
      await store.moveMessage(queue.stored, ref.seq, to.stored, seq, moved);
    } catch (err) {
      log?.error({ err, queue: source, messageId: ref.id }, 'message move failed; it stays in its queue');
      failure ??= `InternalError: ${err instanceof Error ? err.message : String(err)}`;
      // Still indexed unless deleted or purged meanwhile.
      if (queue.index.get(ref.seq) === ref) queue.index.makeVisible(ref);
      return 0;
    }
    queue.index.remove(ref);
    addRef(to, seq, moved, 0, undefined);
    wake(to);
    return 1;
  });
  const moved = (await Promise.all(moves)).reduce<number>((sum, n) => sum + n, 0);
  wake(queue);
  return { moved, ...(failure !== undefined ? { failure } : {}) };
}
