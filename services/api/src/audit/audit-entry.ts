/**
 * One audit entry from what a request was and how it was answered. Pure: the hook (audit-trail.ts)
 * gathers the facts from Fastify, this decides what is kept, so every rule here is unit-tested.
 */
import { auditLimits, type AuditActor, type AuditEntry, type AuditTarget } from '@fleet/core';
import type { Caller } from '@fleet/core/tokens';

/** The methods that change something (RFC 9110 §9.2.1: everything but the safe methods). */
const mutating = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Whether a request is audited: a mutating method under /api (health probes and the web app's files are not). */
export function isAudited(method: string, url: string): boolean {
  return mutating.has(method) && (url === '/api' || url.startsWith('/api/') || url.startsWith('/api?'));
}

export interface RequestFacts {
  readonly timeMs: number;
  readonly method: string;
  /** The raw request target (path and query). */
  readonly url: string;
  /** The matched route's pattern (`/api/users/:username/role`); undefined when no route matched. */
  readonly routePattern: string | undefined;
  /** The matched route's OpenAPI summary. */
  readonly summary: string | undefined;
  /** The route's parameters as parsed (a failed validation leaves the raw strings). */
  readonly params: Readonly<Record<string, unknown>>;
  /** Set by a route whose target is not in its path (a registration's generated device id). */
  readonly explicitTarget: AuditTarget | undefined;
  readonly statusCode: number;
  readonly requestId: string;
  readonly sourceIp: string;
  /** The verified caller, also when their role was refused; undefined without a valid token. */
  readonly caller: Caller | undefined;
}

const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** "Revoke a device: deletes its …" → "Revoke a device": the summary's first clause. */
export function readableAction(summary: string | undefined, fallback: string): string {
  const clause = summary?.split(/: | \(|; /)[0]?.trim();
  return cut(clause || fallback, auditLimits.maxActionNameLength);
}

/**
 * What a call was aimed at: the collection named before the route's first parameter
 * (`/api/devices/:id/commands` → devices) and the parameters' values joined by `/`.
 */
export function targetOf(routePattern: string, params: Readonly<Record<string, unknown>>): AuditTarget | null {
  const segments = routePattern.split('/');
  const firstParam = segments.findIndex((s) => s.startsWith(':'));
  if (firstParam < 0) return null;
  const names = segments.filter((s) => s.startsWith(':')).map((s) => s.slice(1));
  const values = names.map((n) => params[n]).filter((v): v is string | number => typeof v === 'string' || typeof v === 'number');
  if (values.length === 0) return null;
  return { type: segments[firstParam - 1] ?? 'api', id: cut(values.join('/'), auditLimits.maxTargetLength) };
}

export function actorOf(caller: Caller | undefined): AuditActor {
  return caller
    ? { sub: caller.sub, username: caller.username, email: null, role: caller.role }
    : { sub: null, username: null, email: null, role: null };
}

/** The entry of one answered request. */
export function buildAuditEntry(facts: RequestFacts): AuditEntry {
  const action = facts.routePattern ? `${facts.method} ${facts.routePattern}` : `${facts.method} (no route)`;
  const path = facts.url.split('?')[0] ?? facts.url;
  const target =
    facts.explicitTarget ??
    (facts.routePattern ? targetOf(facts.routePattern, facts.params) : { type: 'path', id: cut(path, auditLimits.maxTargetLength) });
  return {
    time: new Date(facts.timeMs).toISOString(),
    actor: actorOf(facts.caller),
    action,
    actionName: facts.routePattern ? readableAction(facts.summary, action) : 'Unknown route',
    target,
    outcome: facts.statusCode,
    requestId: cut(facts.requestId, 128),
    sourceIp: cut(facts.sourceIp, 64),
  };
}
