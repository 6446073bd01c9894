/**
 * A load balancer in front of several tasks of one service, as an ALB target group spreads
 * requests over an ECS service's tasks: round robin, and a task that refuses the connection (it is
 * down or being replaced) is skipped for the next one, so a restarting task costs no request. Once
 * a task has the request, its answer (or its failure, as 502) is final: a request is never sent
 * twice, since the Data Service's POSTs (replays) are not all safe to repeat.
 *
 * The launcher puts it on the Data Service's port when `--data-tasks` is above 1; the gateway and
 * the API Service reach the tasks through it, as they reach load balancer 3 on AWS.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { errorCodes, httpTimeouts, type ErrorCode } from '@fleet/core';
import { createFleetHttpServer } from '@fleet/core/http';
import type { Logger } from 'pino';
import type { AwsResponse } from '../aws-endpoint/index.ts';
import { createForwardTarget, forwardHttp, StandInUnavailable, type ForwardTarget } from '../child-process/index.ts';
import { readBody } from './read-body.ts';

export interface TaskBalancerOptions {
  /** The service's name, for messages. */
  readonly service: string;
  /** Each task's port now; undefined while that task is down. */
  readonly taskPorts: readonly (() => number | undefined)[];
  readonly log: Logger;
  /** Largest request body accepted, bytes. @default 1 MiB */
  readonly maxBodyBytes?: number;
}

export interface TaskBalancer {
  readonly server: Server;
  /** Requests each task answered, in `taskPorts` order. */
  answeredByTask(): readonly number[];
}

export function createTaskBalancer(options: TaskBalancerOptions): TaskBalancer {
  const targets: ForwardTarget[] = options.taskPorts.map((port, i) => createForwardTarget(`${options.service} task ${i + 1}`, port));
  const answered = targets.map(() => 0);
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  let next = 0;

  async function forward(req: IncomingMessage, body: Buffer): Promise<AwsResponse> {
    const start = next;
    next = (next + 1) % targets.length;
    for (let tried = 0; tried < targets.length; tried++) {
      const index = (start + tried) % targets.length;
      const target = targets[index]!;
      try {
        const response = await forwardHttp(target, { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body });
        answered[index] = (answered[index] ?? 0) + 1;
        return response;
      } catch (err) {
        // Only a task that never took the request is skipped; anything later is that task's answer.
        if (err instanceof StandInUnavailable && err.neverReached) continue;
        options.log.warn({ err, task: index + 1 }, `${options.service} task failed while answering`);
        return failure('BadGateway', `The ${options.service} service failed while answering`);
      }
    }
    return failure('BadGateway', `No ${options.service} task can be reached`);
  }

  const server = createFleetHttpServer({ keepAliveTimeoutMs: httpTimeouts.gatewayKeepAlive }, (req, res) => {
    readBody(req, maxBodyBytes)
      .then((body) =>
        body === 'too-large' ? failure('PayloadTooLarge', `The request body is over ${maxBodyBytes} bytes`) : forward(req, body),
      )
      .then((response) => send(res, response))
      .catch((err: unknown) => {
        options.log.error({ err }, `${options.service} load balancer failed`);
        if (!res.headersSent) send(res, failure('InternalError', 'Internal server error'));
      });
  });
  server.on('close', () => {
    for (const target of targets) target.agent.destroy();
  });
  return { server, answeredByTask: () => [...answered] };
}

function failure(code: ErrorCode, message: string): AwsResponse {
  return { status: errorCodes[code], headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code, message }) };
}

function send(res: ServerResponse, response: AwsResponse): void {
  res.writeHead(response.status, response.headers ?? {});
  res.end(response.body ?? '');
}
