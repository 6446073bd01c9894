/**
 * Control-plane routes of static thing groups (restJson1 paths of `@aws-sdk/client-iot`):
 * CreateThingGroup, DescribeThingGroup, DeleteThingGroup, ListThingGroups, AddThingToThingGroup,
 * RemoveThingFromThingGroup, ListThingsInThingGroup and ListThingGroupsForThing. The registry
 * (registry/thing-groups.ts) decides; a membership change is told to `onMembershipChange` (the
 * Jobs stand-in: continuous jobs follow their groups) before the answer goes out.
 */
import type { IotRegistry } from '../../registry/iot-registry.ts';
import { invalid } from '../../registry/registry-context.ts';
import type { ThingGroupRecord } from '../../registry/registry-store.ts';
import { boolParam, epochSeconds, intParam, paginate, type RestRoute } from '../rest-json.ts';

/** AWS: maxResults up to 250. */
const maxPage = 250;

export interface MembershipChange {
  readonly thingName: string;
  readonly thingGroupName: string;
  readonly added: boolean;
}

export type MembershipListener = (change: MembershipChange) => Promise<void>;

const groupRef = (g: ThingGroupRecord) => ({ groupName: g.thingGroupName, groupArn: g.thingGroupArn });

/** A name given directly or as the last part of an ARN (`...:thinggroup/<name>`, `...:thing/<name>`). */
function nameOf(name: unknown, arn: unknown, what: string): string {
  if (typeof name === 'string' && name !== '') return name;
  if (typeof arn === 'string' && arn.includes('/')) return arn.slice(arn.lastIndexOf('/') + 1);
  throw invalid(`${what}Name or ${what}Arn is required`);
}

export function thingGroupRoutes(registry: IotRegistry, onMembershipChange?: MembershipListener): RestRoute[] {
  const membership = (body: Record<string, unknown>) => ({
    thingGroupName: nameOf(body.thingGroupName, body.thingGroupArn, 'thingGroup'),
    thingName: nameOf(body.thingName, body.thingArn, 'thing'),
  });
  return [
    {
      method: 'POST',
      path: '/thing-groups/{thingGroupName}',
      operation: (req) => {
        const body = req.json() as {
          parentGroupName?: string;
          thingGroupProperties?: { thingGroupDescription?: string; attributePayload?: { attributes?: Record<string, string> } };
        };
        const properties = body.thingGroupProperties ?? {};
        const g = registry.createThingGroup({
          thingGroupName: req.labels.thingGroupName as string,
          ...(body.parentGroupName !== undefined ? { parentGroupName: body.parentGroupName } : {}),
          ...(properties.thingGroupDescription !== undefined ? { description: properties.thingGroupDescription } : {}),
          ...(properties.attributePayload?.attributes ? { attributes: properties.attributePayload.attributes } : {}),
        });
        return { thingGroupName: g.thingGroupName, thingGroupArn: g.thingGroupArn, thingGroupId: g.thingGroupId };
      },
    },
    {
      method: 'GET',
      path: '/thing-groups/{thingGroupName}',
      operation: (req) => {
        const g = registry.describeThingGroup(req.labels.thingGroupName as string);
        return {
          thingGroupName: g.thingGroupName,
          thingGroupId: g.thingGroupId,
          thingGroupArn: g.thingGroupArn,
          version: g.version,
          thingGroupProperties: {
            ...(g.description !== undefined ? { thingGroupDescription: g.description } : {}),
            attributePayload: { attributes: g.attributes },
          },
          thingGroupMetadata: {
            ...(g.parentGroupName !== undefined ? { parentGroupName: g.parentGroupName } : {}),
            rootToParentThingGroups: registry.thingGroupAncestors(g).map(groupRef),
            creationDate: epochSeconds(g.creationDate),
          },
        };
      },
    },
    {
      method: 'DELETE',
      path: '/thing-groups/{thingGroupName}',
      operation: (req) => registry.deleteThingGroup(req.labels.thingGroupName as string, intParam(req.query, 'expectedVersion')),
    },
    {
      method: 'GET',
      path: '/thing-groups',
      operation: (req) => {
        const parentGroup = req.query.get('parentGroup');
        const prefix = req.query.get('namePrefixFilter');
        const groups = registry.listThingGroups({
          ...(parentGroup ? { parentGroup } : {}),
          ...(prefix ? { namePrefixFilter: prefix } : {}),
          recursive: boolParam(req.query, 'recursive') ?? false,
        });
        const { page, next } = paginate(groups, req.query.get('nextToken'), intParam(req.query, 'maxResults'), maxPage);
        return { thingGroups: page.map(groupRef), ...(next ? { nextToken: next } : {}) };
      },
    },
    {
      method: 'PUT',
      path: '/thing-groups/addThingToThingGroup',
      operation: async (req) => {
        const { thingGroupName, thingName } = membership(req.json());
        if (registry.addThingToThingGroup(thingGroupName, thingName))
          await onMembershipChange?.({ thingGroupName, thingName, added: true });
        return {};
      },
    },
    {
      method: 'PUT',
      path: '/thing-groups/removeThingFromThingGroup',
      operation: async (req) => {
        const { thingGroupName, thingName } = membership(req.json());
        if (registry.removeThingFromThingGroup(thingGroupName, thingName)) {
          await onMembershipChange?.({ thingGroupName, thingName, added: false });
        }
        return {};
      },
    },
    {
      method: 'GET',
      path: '/thing-groups/{thingGroupName}/things',
      operation: (req) => {
        const things = registry.listThingsInThingGroup(req.labels.thingGroupName as string, boolParam(req.query, 'recursive') ?? false);
        const { page, next } = paginate(things, req.query.get('nextToken'), intParam(req.query, 'maxResults'), maxPage);
        return { things: page, ...(next ? { nextToken: next } : {}) };
      },
    },
    {
      method: 'GET',
      path: '/things/{thingName}/thing-groups',
      operation: (req) => {
        const thingName = req.labels.thingName as string;
        registry.describeThing(thingName);
        const { page, next } = paginate(
          registry.listThingGroupsForThing(thingName),
          req.query.get('nextToken'),
          intParam(req.query, 'maxResults'),
          maxPage,
        );
        return { thingGroups: page.map(groupRef), ...(next ? { nextToken: next } : {}) };
      },
    },
  ];
}
