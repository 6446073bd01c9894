/**
 * Dead letters: the recent ones with what waits for replay (operators), and the replay itself
 * (admins). Replay is internal: the gateway routes only `/data/*` here, so it is reachable only
 * from inside the VPC (load balancer 3), where the API Service calls it for admins
 * (`POST /api/dead-letters/replay`) with the admin's token, which this checks too: an open port is
 * no open door. Answers are the `@fleet/core` dead-letter contract.
 */
import { DeadLetterOverviewSchema, DeadLetterReplayResultSchema, errorResponses, maxDeadLettersPerPage } from '@fleet/core';
import { Type } from 'typebox';
import { callerErrors, type RequireCaller } from '../caller-check.ts';
import type { DeadLetterReplay } from '../dead-letter-backlog.ts';
import type { DeadLetterStore } from '../dead-letters.ts';
import { AnswerError, type DataApp } from './answer-error.ts';

export interface DeadLetterRoutesDeps {
  readonly caller: RequireCaller;
  readonly deadLetters: DeadLetterStore;
  /** Replay of both dead-letter kinds; when absent, replay answers 501 and the list has no backlog. */
  readonly replay?: DeadLetterReplay;
}

/** How long a replay request waits for the dead-letter queue's move task (the API gives up after 10 s). */
const replayWaitMs = 5_000;

export function registerDeadLetterRoutes(app: DataApp, deps: DeadLetterRoutesDeps): void {
  app.get(
    '/data/dead-letters',
    {
      onRequest: deps.caller('readDeadLetters', { fleetWide: true }),
      schema: {
        querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: maxDeadLettersPerPage, default: 20 }) }),
        response: { 200: DeadLetterOverviewSchema, ...errorResponses(...callerErrors, 'ValidationError') },
      },
    },
    async (request) => {
      const [deadLetters, backlog] = await Promise.all([
        deps.deadLetters.listRecent({ limit: request.query.limit }),
        deps.replay?.backlog(),
      ]);
      return { deadLetters, ...(backlog ? { backlog } : {}) };
    },
  );

  app.post(
    '/internal/dead-letters/replay',
    {
      onRequest: deps.caller('replayDeadLetters'),
      schema: {
        querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }) }),
        response: { 200: DeadLetterReplayResultSchema, ...errorResponses(...callerErrors, 'ValidationError', 'NotImplemented') },
      },
    },
    async (request) => {
      if (!deps.replay) throw new AnswerError('NotImplemented', 'replay is not configured');
      return deps.replay.replay({ limit: request.query.limit, waitMs: replayWaitMs });
    },
  );
}
