/**
 * What waits to be replayed onto the ingest queue, and the replay of both kinds at once:
 * - the telemetry rule's error-action objects in S3 (messages IoT Core could not queue; replay.ts);
 * - the ingest dead-letter queue (messages the Data Service failed 5 times; queue-redrive.ts).
 * The answers are the wire shapes of `@fleet/core` (`DeadLetterBacklog`, `DeadLetterReplayResult`)
 * that the API relays to the web app.
 */
import type { DeadLetterBacklog, DeadLetterReplayResult } from '@fleet/core';
import type { DeadLetterQueueRedrive } from './queue-redrive.ts';
import type { DeadLetterReplayer } from './replay.ts';

export interface DeadLetterReplay {
  backlog(): Promise<DeadLetterBacklog>;
  /**
   * Re-queues up to `limit` error-action objects and starts (or follows) the DLQ's redrive, waiting
   * up to `waitMs` for it to finish.
   */
  replay(options: { readonly limit: number; readonly waitMs: number }): Promise<DeadLetterReplayResult>;
}

export function createDeadLetterReplay(deps: {
  readonly replayer: DeadLetterReplayer;
  readonly redrive: DeadLetterQueueRedrive;
}): DeadLetterReplay {
  const { replayer, redrive } = deps;
  return {
    async backlog() {
      const [waiting, depth, latest] = await Promise.all([replayer.waiting(), redrive.depth(), redrive.latest()]);
      return {
        errorActionMessages: waiting.count,
        errorActionMessagesMore: waiting.more,
        deadLetterQueueMessages: depth,
        ...(latest ? { deadLetterQueueReplay: latest } : {}),
      };
    },
    async replay({ limit, waitMs }) {
      // Both at once: the two kinds are independent, and the redrive is SQS's own work.
      const [errorAction, deadLetterQueue] = await Promise.all([replayer.replay({ limit }), redrive.redrive(waitMs)]);
      return { errorAction, deadLetterQueue };
    },
  };
}
