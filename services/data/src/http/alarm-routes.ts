/**
 * Alarms over HTTP, at `/data` + `alarmPaths` (the API Service relays the same paths under `/api`
 * with the caller's token): definitions (read: everyone, change: operators and admins), each
 * device's alarms, acknowledge and clear (who and when recorded, an event written and notified),
 * and the event feed with the caller's unread count. Inputs and answers are the `@fleet/core`
 * alarm contract. A caller granted only some thing groups (device-scope.ts) sees and acts on the
 * alarms and events of their devices alone: another device's alarm is answered `AlarmNotFound`,
 * as an alarm that does not exist. (A page may then hold fewer items than `limit`; its
 * `nextToken` still leads on.)
 */
import {
  AlarmActionSchema,
  AlarmDefinitionIdSchema,
  AlarmDefinitionInputSchema,
  AlarmDefinitionListSchema,
  AlarmDefinitionSchema,
  AlarmDefinitionUpdateSchema,
  AlarmFeedReadSchema,
  AlarmEventsQuerySchema,
  AlarmFeedSchema,
  AlarmListQuerySchema,
  AlarmPageSchema,
  AlarmSchema,
  alarmLimits,
  alarmPaths,
  bodyLimits,
  DeviceIdSchema,
  errorResponses,
  type AlarmStatus,
} from '@fleet/core';
import { Type } from 'typebox';
import { callerErrors, callerOf, type RequireCaller } from '../caller-check.ts';
import type { DeviceScope } from '../device-scope.ts';
import type { Alarms } from '../alarms/index.ts';
import { applyUserAction, type UserAction } from '../alarms/alarm-actions.ts';
import { isOpen } from '../alarms/evaluate.ts';
import { AnswerError, type DataApp } from './answer-error.ts';

export interface AlarmRoutesDeps {
  readonly caller: RequireCaller;
  readonly scope: DeviceScope;
  readonly alarms: Pick<Alarms, 'definitions' | 'definitionCache' | 'states' | 'events' | 'writer'>;
  readonly now?: () => Date;
}

const data = (path: string) => `/data${path}`;
const DefinitionParams = Type.Object({ id: AlarmDefinitionIdSchema });
const AlarmParams = Type.Object({ definitionId: AlarmDefinitionIdSchema, deviceId: DeviceIdSchema });

const encodeToken = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
function decodeToken<T>(token: string, valid: (v: unknown) => v is T): T {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  if (!valid(value))
    throw new AnswerError('ValidationError', `nextToken ${JSON.stringify(token.slice(0, 64))} is not one this service returned`);
  return value;
}
const isStrings =
  <K extends string>(...keys: K[]) =>
  (v: unknown): v is Record<K, string> =>
    typeof v === 'object' && v !== null && keys.every((k) => typeof (v as Record<string, unknown>)[k] === 'string');

export function registerAlarmRoutes(app: DataApp, deps: AlarmRoutesDeps): void {
  const { alarms } = deps;
  const now = deps.now ?? (() => new Date());
  const withBody = { bodyLimit: bodyLimits.api };

  app.get(
    data(alarmPaths.definitions),
    {
      onRequest: deps.caller('readAlarms'),
      schema: { response: { 200: AlarmDefinitionListSchema, ...errorResponses(...callerErrors) } },
    },
    async () => ({ definitions: (await alarms.definitions.list()).sort((a, b) => a.createdAt.localeCompare(b.createdAt)) }),
  );

  app.post(
    data(alarmPaths.definitions),
    {
      ...withBody,
      onRequest: deps.caller('manageAlarms'),
      schema: {
        body: AlarmDefinitionInputSchema,
        response: { 201: AlarmDefinitionSchema, ...errorResponses(...callerErrors, 'ValidationError', 'AlarmLimitExceeded') },
      },
    },
    async (request, reply) => {
      checkDefinition(request.body);
      const change = await alarms.definitions.create(request.body, callerOf(request).username, now());
      if (!change.ok) throw new AnswerError(change.code, change.message);
      alarms.definitionCache.invalidate();
      return reply.code(201).send(change.definition);
    },
  );

  app.get(
    data(alarmPaths.definition),
    {
      onRequest: deps.caller('readAlarms'),
      schema: {
        params: DefinitionParams,
        response: { 200: AlarmDefinitionSchema, ...errorResponses(...callerErrors, 'ValidationError', 'AlarmDefinitionNotFound') },
      },
    },
    async (request) => {
      const definition = await alarms.definitions.get(request.params.id);
      if (!definition) throw new AnswerError('AlarmDefinitionNotFound', `No alarm definition "${request.params.id}"`);
      return definition;
    },
  );

  app.put(
    data(alarmPaths.definition),
    {
      ...withBody,
      onRequest: deps.caller('manageAlarms'),
      schema: {
        params: DefinitionParams,
        body: AlarmDefinitionUpdateSchema,
        response: {
          200: AlarmDefinitionSchema,
          ...errorResponses(...callerErrors, 'ValidationError', 'AlarmDefinitionNotFound', 'AlarmStateConflict'),
        },
      },
    },
    async (request) => {
      const { expectedVersion, ...input } = request.body;
      checkDefinition(input);
      const change = await alarms.definitions.update(request.params.id, input, expectedVersion, now());
      if (!change.ok) throw new AnswerError(change.code, change.message);
      alarms.definitionCache.invalidate();
      return change.definition;
    },
  );

  app.delete(
    data(alarmPaths.definition),
    {
      onRequest: deps.caller('manageAlarms'),
      schema: {
        params: DefinitionParams,
        response: { 204: Type.Null(), ...errorResponses(...callerErrors, 'ValidationError', 'AlarmDefinitionNotFound') },
      },
    },
    async (request, reply) => {
      const definition = await alarms.definitions.delete(request.params.id);
      if (!definition) throw new AnswerError('AlarmDefinitionNotFound', `No alarm definition "${request.params.id}"`);
      alarms.definitionCache.invalidate();
      // Its open alarms are cleared by the user who deleted it (an event each), then forgotten.
      const by = callerOf(request).username;
      const at = now().toISOString();
      for (const stored of await alarms.states.listOfDefinition(definition.id)) {
        await alarms.writer.apply(
          definition.id,
          stored.deviceId,
          (current) => {
            if (!isOpen(current?.alarm)) return { ok: true, state: current ?? stored.state, events: [] };
            const outcome = applyUserAction(current, 'clear', { occurrence: current.alarm.occurrence, by, at });
            return outcome.ok ? { ok: true, state: outcome.state, events: [outcome.event] } : outcome;
          },
          stored,
        );
        await alarms.states.remove(definition.id, stored.deviceId);
      }
      return reply.code(204).send(null);
    },
  );

  app.get(
    data(alarmPaths.alarms),
    {
      onRequest: deps.caller('readAlarms'),
      schema: {
        querystring: AlarmListQuerySchema,
        response: { 200: AlarmPageSchema, ...errorResponses(...callerErrors, 'ValidationError') },
      },
    },
    async (request) => {
      const { status, deviceId, definitionId, limit = alarmLimits.defaultPage, nextToken } = request.query;
      const after = nextToken === undefined ? undefined : decodeToken(nextToken, isStrings('definitionId', 'deviceId'));
      const definitionIds = definitionId !== undefined ? [definitionId] : (await alarms.definitions.list()).map((d) => d.id).sort();
      const page = await alarms.states.list({
        definitionIds,
        limit,
        ...(status ? { statuses: status.split(',') as AlarmStatus[] } : {}),
        ...(deviceId === undefined ? {} : { deviceId }),
        ...(after ? { after } : {}),
      });
      const last = page.alarms.at(-1);
      const readable = await deps.scope.within(
        callerOf(request),
        page.alarms.map((a) => a.deviceId),
      );
      return {
        alarms: page.alarms.flatMap((s) => (s.state.alarm && readable.has(s.deviceId) ? [s.state.alarm] : [])),
        ...(page.more && last ? { nextToken: encodeToken({ definitionId: last.definitionId, deviceId: last.deviceId }) } : {}),
      };
    },
  );

  for (const action of ['acknowledge', 'clear'] as const satisfies readonly UserAction[]) {
    app.post(
      data(alarmPaths[action]),
      {
        ...withBody,
        onRequest: deps.caller('manageAlarms'),
        schema: {
          params: AlarmParams,
          body: AlarmActionSchema,
          response: { 200: AlarmSchema, ...errorResponses(...callerErrors, 'ValidationError', 'AlarmNotFound', 'AlarmStateConflict') },
        },
      },
      async (request) => {
        const { definitionId, deviceId } = request.params;
        const caller = callerOf(request);
        if (!(await deps.scope.includes(caller, deviceId))) {
          throw new AnswerError('AlarmNotFound', 'This device has no alarm of this definition');
        }
        const by = caller.username;
        const at = now().toISOString();
        const decision = await alarms.writer.apply(definitionId, deviceId, (current) => {
          const outcome = applyUserAction(current, action, { occurrence: request.body.occurrence, by, at });
          return outcome.ok ? { ok: true, state: outcome.state, events: [outcome.event] } : outcome;
        });
        if (!decision.ok) throw new AnswerError(decision.code, decision.message);
        if (!decision.state.alarm) throw new Error('an applied action left no alarm');
        return decision.state.alarm;
      },
    );
  }

  app.get(
    data(alarmPaths.events),
    {
      onRequest: deps.caller('readAlarms'),
      schema: {
        querystring: AlarmEventsQuerySchema,
        response: { 200: AlarmFeedSchema, ...errorResponses(...callerErrors, 'ValidationError') },
      },
    },
    async (request) => {
      const { deviceId, definitionId, limit = alarmLimits.defaultPage, nextToken } = request.query;
      const before = nextToken === undefined ? undefined : decodeToken(nextToken, isStrings('day', 'sk'));
      const at = now().getTime();
      const [page, unread] = await Promise.all([
        alarms.events.feed(
          {
            limit,
            ...(deviceId === undefined ? {} : { deviceId }),
            ...(definitionId === undefined ? {} : { definitionId }),
            ...(before ? { before } : {}),
          },
          at,
        ),
        alarms.events.unread(callerOf(request).sub, at),
      ]);
      const readable = await deps.scope.within(
        callerOf(request),
        page.events.map((e) => e.alarm.deviceId),
      );
      return {
        events: page.events.filter((e) => readable.has(e.alarm.deviceId)),
        unread,
        ...(page.next ? { nextToken: encodeToken(page.next) } : {}),
      };
    },
  );

  app.post(
    data(alarmPaths.eventsRead),
    {
      ...withBody,
      onRequest: deps.caller('readAlarms'),
      schema: { body: AlarmFeedReadSchema, response: { 204: Type.Null(), ...errorResponses(...callerErrors, 'ValidationError') } },
    },
    async (request, reply) => {
      const until = Date.parse(request.body.until);
      if (Number.isNaN(until))
        throw new AnswerError('ValidationError', `"until" must be an ISO 8601 time, received ${JSON.stringify(request.body.until)}`);
      // One spelling (toISOString) so that markers and event keys compare as strings.
      await alarms.events.markRead(callerOf(request).sub, new Date(until).toISOString());
      return reply.code(204).send(null);
    },
  );
}

/** What the schema cannot say about a definition. */
function checkDefinition(input: {
  condition: { kind: string; low?: number; high?: number };
  duration?: { kind: string; breaching?: number; of?: number };
}) {
  const { condition, duration } = input;
  if (condition.kind === 'outside' && condition.low !== undefined && condition.high !== undefined && condition.low >= condition.high) {
    throw new AnswerError('ValidationError', `"low" (${condition.low}) must be below "high" (${condition.high})`);
  }
  if (duration?.kind === 'readings' && (duration.breaching ?? 0) > (duration.of ?? 0)) {
    throw new AnswerError('ValidationError', `"breaching" (${duration.breaching}) must not exceed "of" (${duration.of})`);
  }
}
