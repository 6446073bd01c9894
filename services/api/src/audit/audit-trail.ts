/**
 * The audit trail's one hook: every mutating call under /api is written down when its answer has
 * been sent (`onResponse`), success or refusal (401, 403, 400, 404 …), so no route can forget it and
 * none waits for it. A failed write never reaches the caller: it is logged and counted
 * (`AuditWriteFailures`, an EMF metric to alarm on). Writes in flight are awaited when the app
 * closes (SIGTERM drains them before the task stops).
 */
import type { AuditTarget } from '@fleet/core';
import type { Metrics } from '@fleet/core/process';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { identityOf } from '../auth/authorize.ts';
import { buildAuditEntry, isAudited } from './audit-entry.ts';
import type { AuditStore } from './audit-store.ts';

/** The metric counting entries that could not be written (namespace `monitoring.namespace`, `Service=api`). */
export const auditWriteFailuresMetric = 'AuditWriteFailures';

export interface AuditTrail {
  /** Adds the hook to the app (before its routes, so it covers all of them and the not-found answer). */
  install(app: FastifyInstance): void;
  /** Resolves when every write started so far has ended. */
  settled(): Promise<void>;
}

export interface AuditTrailDeps {
  readonly store: Pick<AuditStore, 'put'>;
  readonly metrics: Pick<Metrics, 'count'>;
  readonly logger: Pick<Logger, 'error'>;
  readonly now?: () => number;
}

const explicitTargets = new WeakMap<FastifyRequest, AuditTarget>();
const auditedReads = new WeakSet<FastifyRequest>();

/**
 * For a read that hands out something sensitive (a device import's private keys): written down as a
 * change is, with its outcome, although GET is a safe method.
 */
export function auditThisRead(request: FastifyRequest): void {
  auditedReads.add(request);
}

/** For a route whose target is not in its path (a registration's generated id): what the entry names. */
export function setAuditTarget(request: FastifyRequest, target: AuditTarget): void {
  explicitTargets.set(request, target);
}

export function createAuditTrail(deps: AuditTrailDeps): AuditTrail {
  const now = deps.now ?? Date.now;
  const pending = new Set<Promise<void>>();

  function record(request: FastifyRequest, statusCode: number): void {
    const entry = buildAuditEntry({
      timeMs: now(),
      method: request.method,
      url: request.url,
      routePattern: request.is404 ? undefined : request.routeOptions.url,
      summary: request.routeOptions.schema?.summary,
      params: (request.params ?? {}) as Record<string, unknown>,
      explicitTarget: explicitTargets.get(request),
      statusCode,
      requestId: request.id,
      sourceIp: request.ip,
      caller: identityOf(request),
    });
    const write = deps.store.put(entry).catch((err: unknown) => {
      deps.metrics.count(auditWriteFailuresMetric);
      deps.logger.error({ err, entry }, 'audit entry not written');
    });
    pending.add(write);
    void write.finally(() => pending.delete(write));
  }

  return {
    install(app) {
      app.addHook('onResponse', (request, reply, done) => {
        if (isAudited(request.method, request.url) || auditedReads.has(request)) record(request, reply.statusCode);
        done();
      });
      app.addHook('onClose', async () => {
        await Promise.all(pending);
      });
    },
    async settled() {
      await Promise.all(pending);
    },
  };
}
