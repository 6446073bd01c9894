/**
 * Users' dashboards (`@fleet/core` web-app/dashboards.ts): every role keeps its own and reads the
 * ones shared in the organisation; only the owner, or an admin (`editAnyDashboard`), changes or
 * deletes one. A dashboard the caller may not see answers 404 as if it did not exist. Updates are
 * optimistic: a stale `version` answers 409 DashboardVersionConflict naming both versions.
 */
import {
  bodyLimits,
  can,
  DashboardIdSchema,
  DashboardInputSchema,
  DashboardListSchema,
  dashboardLimits,
  dashboardPaths,
  dashboardProblems,
  DashboardSchema,
  DashboardUpdateSchema,
  errorResponses,
  type Dashboard,
  type DashboardInput,
} from '@fleet/core';
import type { Caller } from '@fleet/core/tokens';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { authOf, type Authorizer } from '../auth/authorize.ts';
import type { ActorEmails } from '../audit/actor-emails.ts';
import type { DashboardRecord, DashboardStore } from '../dashboards/dashboard-store.ts';
import { apiError } from '../errors.ts';
import { bearer, bodyErrors, bodyLimitNote, paramErrors, permissionErrors, StrictObject } from '../http/schemas.ts';
import type { TypedApp } from '../http/typed-app.ts';

export interface DashboardRoutesDeps {
  readonly authorizer: Authorizer;
  readonly store: DashboardStore;
  /** The owners' e-mail addresses: a dashboard is stored with its owner's username, a uuid for e-mail sign-ups. */
  readonly emails: Pick<ActorEmails, 'emailOf'>;
}

const Params = StrictObject({ id: DashboardIdSchema });
const collection = `/api${dashboardPaths.dashboards}`;
const one = `/api${dashboardPaths.dashboard}`;

const mayEdit = (caller: Caller, owner: string) => caller.sub === owner || can(caller.role, 'editAnyDashboard');
const mayRead = (caller: Caller, d: DashboardRecord) => d.shared || mayEdit(caller, d.owner);
const viewOf = (caller: Caller, d: DashboardRecord): Dashboard => ({ ...d, editable: mayEdit(caller, d.owner) });

function checked(input: DashboardInput): void {
  const problems = dashboardProblems(input);
  if (problems.length > 0) throw apiError('ValidationError', `body/${problems.join('; body/')}`);
}

export function registerDashboardRoutes(app: TypedApp, deps: DashboardRoutesDeps): void {
  const { authorizer, store, emails } = deps;

  /** The records with each owner named by e-mail (by username when the user pool does not know it), asked once per owner. */
  async function named<T extends Pick<DashboardRecord, 'ownerName'>>(records: readonly T[]): Promise<T[]> {
    const owners = [...new Set(records.map((r) => r.ownerName))];
    const names = new Map(await Promise.all(owners.map(async (o) => [o, (await emails.emailOf(o)) ?? o] as const)));
    return records.map((r) => ({ ...r, ownerName: names.get(r.ownerName) ?? r.ownerName }));
  }
  const namedOne = async <T extends Pick<DashboardRecord, 'ownerName'>>(record: T): Promise<T> => (await named([record]))[0]!;

  /** The dashboard of the path as the caller may see it, or 404. */
  async function visible(request: FastifyRequest, id: string): Promise<DashboardRecord> {
    const dashboard = await store.get(id);
    if (!dashboard || !mayRead(authOf(request), dashboard)) {
      throw apiError('DashboardNotFound', `No dashboard "${id}" of yours or shared with the organisation`);
    }
    return dashboard;
  }
  /** ... and that the caller may change, or 403. */
  async function editable(request: FastifyRequest, id: string): Promise<DashboardRecord> {
    const dashboard = await visible(request, id);
    if (!mayEdit(authOf(request), dashboard.owner)) {
      throw apiError(
        'DashboardReadOnly',
        `Dashboard "${id}" belongs to ${(await namedOne(dashboard)).ownerName}: only they or an admin change it`,
      );
    }
    return dashboard;
  }

  app.get(
    collection,
    {
      onRequest: authorizer.require('keepDashboards'),
      schema: {
        tags: ['dashboards'],
        summary: "The caller's dashboards, then those shared in the organisation (newest change first)",
        security: bearer,
        response: { 200: DashboardListSchema, ...errorResponses(...permissionErrors) },
      },
    },
    async (request) => {
      const caller = authOf(request);
      const [owned, shared] = await Promise.all([store.listOwned(caller.sub), store.listShared()]);
      const others = shared.filter((d) => d.owner !== caller.sub);
      return { dashboards: (await named([...owned, ...others])).map((d) => ({ ...d, editable: mayEdit(caller, d.owner) })) };
    },
  );

  app.post(
    collection,
    {
      onRequest: authorizer.require('keepDashboards'),
      schema: {
        tags: ['dashboards'],
        summary: 'Create a dashboard owned by the caller',
        description: `${bodyLimitNote(bodyLimits.api)} At most ${dashboardLimits.maxPerOwner} dashboards a user, ${dashboardLimits.maxWidgets} widgets a dashboard, placed on a ${dashboardLimits.columns}-column grid without overlapping.`,
        security: bearer,
        body: DashboardInputSchema,
        response: { 201: DashboardSchema, ...errorResponses(...permissionErrors, ...bodyErrors, 'DashboardLimitExceeded') },
      },
    },
    async (request, reply) => {
      checked(request.body);
      const caller = authOf(request);
      const created = await store.create({ sub: caller.sub, username: caller.username }, request.body);
      if (!created.ok) {
        throw apiError('DashboardLimitExceeded', `You own ${created.owned} dashboards, the most a user may; delete one first`);
      }
      request.log.info({ dashboardId: created.dashboard.id, by: caller.sub }, 'dashboard created');
      return reply.code(201).send(viewOf(caller, await namedOne(created.dashboard)));
    },
  );

  app.get(
    one,
    {
      onRequest: authorizer.require('keepDashboards'),
      schema: {
        tags: ['dashboards'],
        summary: 'One dashboard of the caller or shared with the organisation, with its widgets',
        security: bearer,
        params: Params,
        response: { 200: DashboardSchema, ...errorResponses(...permissionErrors, ...paramErrors, 'DashboardNotFound') },
      },
    },
    async (request) => viewOf(authOf(request), await namedOne(await visible(request, request.params.id))),
  );

  app.put(
    one,
    {
      onRequest: authorizer.require('keepDashboards'),
      schema: {
        tags: ['dashboards'],
        summary: 'Replace a dashboard (owner or admin), from the version the edit started from',
        description: `${bodyLimitNote(bodyLimits.api)} A dashboard changed since \`version\` answers 409 DashboardVersionConflict.`,
        security: bearer,
        params: Params,
        body: DashboardUpdateSchema,
        response: {
          200: DashboardSchema,
          ...errorResponses(
            ...permissionErrors,
            ...paramErrors,
            ...bodyErrors,
            'DashboardNotFound',
            'DashboardReadOnly',
            'DashboardVersionConflict',
          ),
        },
      },
    },
    async (request) => {
      const { version, ...input } = request.body;
      checked(input);
      const { id } = request.params;
      await editable(request, id);
      const replaced = await store.replace(id, input, version);
      if (!replaced.ok && replaced.reason === 'missing') throw apiError('DashboardNotFound', `Dashboard "${id}" was deleted meanwhile`);
      if (!replaced.ok) {
        throw apiError(
          'DashboardVersionConflict',
          `Dashboard "${id}" is at version ${replaced.current}, this edit started from version ${version}: reload it and edit again`,
        );
      }
      request.log.info({ dashboardId: id, version: replaced.dashboard.version, by: authOf(request).sub }, 'dashboard changed');
      return viewOf(authOf(request), await namedOne(replaced.dashboard));
    },
  );

  app.delete(
    one,
    {
      onRequest: authorizer.require('keepDashboards'),
      schema: {
        tags: ['dashboards'],
        summary: 'Delete a dashboard (owner or admin)',
        security: bearer,
        params: Params,
        response: {
          204: Type.Null({ description: 'Deleted' }),
          ...errorResponses(...permissionErrors, ...paramErrors, ...bodyErrors, 'DashboardNotFound', 'DashboardReadOnly'),
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      await editable(request, id);
      await store.remove(id);
      request.log.info({ dashboardId: id, by: authOf(request).sub }, 'dashboard deleted');
      return reply.code(204).send(null);
    },
  );
}
