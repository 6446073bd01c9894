/**
 * The Admin area's reads: the audit trail (admins, `readAudit`) and the revoked devices (those who
 * may revoke, `manageDevices`). Entries are written by the audit hook (audit/audit-trail.ts), never
 * by a route.
 */
import {
  AuditPageSchema,
  AuditQuerySchema,
  auditLimits,
  auditPaths,
  errorResponses,
  RevokedDevicePageSchema,
  RevokedDeviceQuerySchema,
  type AuditEntry,
  type AuditQuery,
} from '@fleet/core';
import type { Authorizer } from '../auth/authorize.ts';
import type { ActorEmails } from '../audit/actor-emails.ts';
import { decodeCursor } from '../audit/audit-keys.ts';
import { rangeStart, type AuditStore } from '../audit/audit-store.ts';
import { InvalidRevokedCursorError, type RevokedDevices } from '../audit/revoked-devices.ts';
import { apiError } from '../errors.ts';
import { bearer, permissionErrors } from '../http/schemas.ts';
import type { TypedApp } from '../http/typed-app.ts';

export interface AuditRoutesDeps {
  readonly authorizer: Authorizer;
  readonly store: Pick<AuditStore, 'page'>;
  readonly revoked: Pick<RevokedDevices, 'page'>;
  readonly emails: ActorEmails;
  readonly now?: () => number;
}

const dayMs = 24 * 3600 * 1000;
const contains = (text: string | null | undefined, part: string) => (text ?? '').toLowerCase().includes(part.toLowerCase());

/** The filters of a query as one predicate over entries (their emails filled in). */
export function auditFilter(query: Pick<AuditQuery, 'user' | 'action' | 'target'>): (entry: AuditEntry) => boolean {
  const { user, action, target } = query;
  return (entry) =>
    (user === undefined || entry.actor.sub === user || contains(entry.actor.username, user) || contains(entry.actor.email, user)) &&
    (action === undefined || contains(entry.action, action) || contains(entry.actionName, action)) &&
    (target === undefined || contains(entry.target?.id, target) || contains(entry.target?.label, target));
}

/** The entries with their actors' emails, and a user target labelled with theirs. */
async function withEmails(entries: AuditEntry[], emails: ActorEmails): Promise<AuditEntry[]> {
  const actors = await emails.fill(entries.map((e) => e.actor));
  return Promise.all(
    entries.map(async (e, i) => {
      const label = e.target?.type === 'users' ? await emails.emailOf(e.target.id) : null;
      return { ...e, actor: actors[i] ?? e.actor, target: e.target && label ? { ...e.target, label } : e.target };
    }),
  );
}

export function registerAuditRoutes(app: TypedApp, deps: AuditRoutesDeps): void {
  const now = deps.now ?? Date.now;

  app.get(
    auditPaths.audit,
    {
      onRequest: deps.authorizer.require('readAudit'),
      schema: {
        tags: ['audit'],
        summary: 'The audit trail: every mutating API call with who, what, on what and its outcome, newest first',
        description:
          `Reads the range [from, to] (default: the ${auditLimits.defaultRangeDays} days before now) a day partition at a time. ` +
          'Filters match part of the text, case-insensitively. A page may hold fewer entries than `limit` ' +
          `(it reads at most ${auditLimits.maxDaysPerPage} days) and still carry a \`nextCursor\`; the cursor keeps the first page's range.`,
        security: bearer,
        querystring: AuditQuerySchema,
        response: { 200: AuditPageSchema, ...errorResponses(...permissionErrors, 'ValidationError') },
      },
    },
    async (request) => {
      const { from, to, cursor, limit = auditLimits.defaultPage } = request.query;
      let at;
      if (cursor !== undefined) {
        const decoded = decodeCursor(cursor);
        if (!decoded.ok) throw apiError('ValidationError', `querystring/cursor ${decoded.message}`);
        at = decoded.cursor;
      } else {
        const toMs = to === undefined ? now() : Date.parse(to);
        const fromMs = from === undefined ? toMs - auditLimits.defaultRangeDays * dayMs : Date.parse(from);
        if (fromMs > toMs) throw apiError('ValidationError', `querystring/from (${from ?? ''}) must not be after to (${to ?? 'now'})`);
        at = rangeStart(fromMs, toMs);
      }
      return deps.store.page({
        at,
        limit,
        enrich: (entries) => withEmails(entries, deps.emails),
        filter: auditFilter(request.query),
      });
    },
  );

  app.get(
    auditPaths.revokedDevices,
    {
      onRequest: deps.authorizer.require('manageDevices'),
      schema: {
        tags: ['devices'],
        summary: 'Revoked devices, newest first: what each was and who revoked it when',
        security: bearer,
        querystring: RevokedDeviceQuerySchema,
        response: { 200: RevokedDevicePageSchema, ...errorResponses(...permissionErrors, 'ValidationError') },
      },
    },
    async (request) => {
      const { cursor, limit = auditLimits.defaultPage } = request.query;
      try {
        const page = await deps.revoked.page({ limit, ...(cursor ? { cursor } : {}) });
        const actors = await deps.emails.fill(page.devices.map((d) => d.revokedBy));
        return { ...page, devices: page.devices.map((d, i) => ({ ...d, revokedBy: actors[i] ?? d.revokedBy })) };
      } catch (err) {
        if (err instanceof InvalidRevokedCursorError) throw apiError('ValidationError', `querystring/cursor ${err.message}`);
        throw err;
      }
    },
  );
}
