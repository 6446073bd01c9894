/**
 * `GET /api/thing-groups`: the account's thing groups by name (AWS IoT ListThingGroups, every page
 * up to `maxListedThingGroups`), for the web app's pickers: the device list's group filter, the
 * Users screen's grants, the group of a new device. A user whose access is limited to thing groups
 * gets only theirs, as everywhere else.
 */
import { ListThingGroupsCommand } from '@aws-sdk/client-iot';
import { deviceAccessOf, errorResponses, maxListedThingGroups, ThingGroupListSchema, thingGroupsPath } from '@fleet/core';
import { authOf, type Authorizer } from '../auth/authorize.ts';
import type { ApiClients } from '../aws-clients.ts';
import { bearer, permissionErrors, StrictObject } from '../http/schemas.ts';
import type { TypedApp } from '../http/typed-app.ts';

export function registerThingGroupRoutes(app: TypedApp, deps: { authorizer: Authorizer; iot: ApiClients['iot'] }): void {
  app.get(
    thingGroupsPath,
    {
      onRequest: deps.authorizer.require('readDevices'),
      schema: {
        tags: ['devices'],
        summary: 'Thing groups by name (yours only when your access is limited to some)',
        security: bearer,
        querystring: StrictObject({}),
        response: { 200: ThingGroupListSchema, ...errorResponses(...permissionErrors, 'ValidationError') },
      },
    },
    async (request) => {
      const access = deviceAccessOf(authOf(request).groups);
      if (access.kind === 'groups') return { groups: [...access.groups] };
      const groups: string[] = [];
      let nextToken: string | undefined;
      do {
        const page = await deps.iot.send(new ListThingGroupsCommand({ maxResults: 250, ...(nextToken ? { nextToken } : {}) }));
        for (const g of page.thingGroups ?? []) if (g.groupName) groups.push(g.groupName);
        nextToken = page.nextToken;
      } while (nextToken && groups.length < maxListedThingGroups);
      return { groups: groups.slice(0, maxListedThingGroups).sort() };
    },
  );
}
