/**
 * Static thing groups: CreateThingGroup, DescribeThingGroup, DeleteThingGroup, ListThingGroups,
 * AddThingToThingGroup, RemoveThingFromThingGroup, ListThingsInThingGroup and
 * ListThingGroupsForThing, with the rules of the AWS IoT API reference and of
 * https://docs.aws.amazon.com/iot/latest/developerguide/thing-groups.html (a hierarchy of groups, a
 * thing in at most 10 groups, a group's things include those of its child groups when asked
 * recursively). Dynamic groups (fleet indexing queries) are not implemented.
 */
import { randomUUID } from 'node:crypto';
import { AwsError } from '../../aws-endpoint/index.ts';
import { invalid, notFound, requireThing, saveChange, type RegistryContext } from './registry-context.ts';
import type { RegistryChange, ThingGroupRecord } from './registry-store.ts';

const groupNamePattern = /^[a-zA-Z0-9:_-]{1,128}$/;
/** AWS IoT: "A thing can be added to a maximum of 10 thing groups." */
export const maxGroupsPerThing = 10;

export interface CreateThingGroupInput {
  readonly thingGroupName: string;
  readonly parentGroupName?: string;
  readonly description?: string;
  readonly attributes?: Record<string, string>;
}

export function requireThingGroup(context: RegistryContext, thingGroupName: string): ThingGroupRecord {
  const found = context.state.thingGroups[thingGroupName];
  if (!found) throw notFound(`ThingGroup ${thingGroupName} does not exist`);
  return found;
}

export function createThingGroup(context: RegistryContext, input: CreateThingGroupInput): ThingGroupRecord {
  const { thingGroupName, parentGroupName } = input;
  if (!groupNamePattern.test(thingGroupName)) throw invalid(`Thing group name "${thingGroupName}" must match [a-zA-Z0-9:_-]{1,128}`);
  const attributes = input.attributes ?? {};
  const existing = context.state.thingGroups[thingGroupName];
  if (existing) {
    // AWS: "If the ThingGroup that you create has the exact same attributes as an existing ThingGroup, you will get a 200 success response."
    const same =
      existing.parentGroupName === parentGroupName &&
      existing.description === input.description &&
      JSON.stringify(existing.attributes) === JSON.stringify(attributes);
    if (same) return existing;
    throw new AwsError(
      'ResourceAlreadyExistsException',
      `Thing Group ${thingGroupName} already exists with different tags or properties`,
      409,
      {},
    );
  }
  if (parentGroupName !== undefined) requireThingGroup(context, parentGroupName);
  const record: ThingGroupRecord = {
    thingGroupName,
    thingGroupId: randomUUID(),
    thingGroupArn: context.arn('thinggroup', thingGroupName),
    ...(parentGroupName !== undefined ? { parentGroupName } : {}),
    ...(input.description !== undefined ? { description: input.description } : {}),
    attributes: { ...attributes },
    version: 1,
    creationDate: context.now(),
  };
  context.state.thingGroups[thingGroupName] = record;
  context.state.thingGroupMembers[thingGroupName] = [];
  saveChange(context, [
    { put: 'thingGroups', key: thingGroupName },
    { put: 'thingGroupMembers', key: thingGroupName },
  ]);
  return record;
}

/** The group's ancestors, root first. */
export function ancestorsOf(context: RegistryContext, group: ThingGroupRecord): ThingGroupRecord[] {
  const chain: ThingGroupRecord[] = [];
  let parent = group.parentGroupName;
  while (parent !== undefined) {
    const record = context.state.thingGroups[parent];
    if (!record) break;
    chain.unshift(record);
    parent = record.parentGroupName;
  }
  return chain;
}

export function deleteThingGroup(context: RegistryContext, thingGroupName: string, expectedVersion?: number): void {
  const { state } = context;
  const record = state.thingGroups[thingGroupName];
  // AWS: deleting a group that does not exist succeeds, as DeleteThing does.
  if (!record) return;
  if (expectedVersion !== undefined && expectedVersion !== record.version) {
    throw new AwsError(
      'VersionConflictException',
      `The version for thing group ${thingGroupName} does not match the expected version.`,
      409,
    );
  }
  if (Object.values(state.thingGroups).some((g) => g.parentGroupName === thingGroupName)) {
    throw invalid(`Cannot delete thing group ${thingGroupName}: it still has child groups`);
  }
  delete state.thingGroups[thingGroupName];
  delete state.thingGroupMembers[thingGroupName];
  saveChange(context, [
    { put: 'thingGroups', key: thingGroupName },
    { put: 'thingGroupMembers', key: thingGroupName },
  ]);
}

export interface ThingGroupFilter {
  readonly parentGroup?: string;
  readonly namePrefixFilter?: string;
  /** With a parent: its descendants too, not only its children. */
  readonly recursive?: boolean;
}

export function listThingGroups(context: RegistryContext, filter: ThingGroupFilter): ThingGroupRecord[] {
  const groups = Object.values(context.state.thingGroups);
  const { parentGroup } = filter;
  if (parentGroup !== undefined) requireThingGroup(context, parentGroup);
  return groups
    .filter((g) => {
      if (parentGroup === undefined) return true;
      if (!filter.recursive) return g.parentGroupName === parentGroup;
      return ancestorsOf(context, g).some((a) => a.thingGroupName === parentGroup);
    })
    .filter((g) => filter.namePrefixFilter === undefined || g.thingGroupName.startsWith(filter.namePrefixFilter))
    .sort((a, b) => a.thingGroupName.localeCompare(b.thingGroupName));
}

/** Adds a thing to a group; adding it again succeeds. Answers whether the membership changed. */
export function addThingToThingGroup(context: RegistryContext, thingGroupName: string, thingName: string): boolean {
  requireThingGroup(context, thingGroupName);
  requireThing(context, thingName);
  const members = (context.state.thingGroupMembers[thingGroupName] ??= []);
  if (members.includes(thingName)) return false;
  if (listThingGroupsForThing(context, thingName).length >= maxGroupsPerThing) {
    throw new AwsError('LimitExceededException', `Thing ${thingName} is already in ${maxGroupsPerThing} thing groups`, 410);
  }
  members.push(thingName);
  saveChange(context, [{ add: 'thingGroupMembers', key: thingGroupName, member: thingName }]);
  return true;
}

/** Removes a thing from a group; removing a thing that is not in it succeeds. Answers whether the membership changed. */
export function removeThingFromThingGroup(context: RegistryContext, thingGroupName: string, thingName: string): boolean {
  requireThingGroup(context, thingGroupName);
  const members = context.state.thingGroupMembers[thingGroupName] ?? [];
  const index = members.indexOf(thingName);
  if (index < 0) return false;
  members.splice(index, 1);
  saveChange(context, [{ remove: 'thingGroupMembers', key: thingGroupName, member: thingName }]);
  return true;
}

/** The things of a group, by name; with `recursive`, those of its descendant groups too. */
export function listThingsInThingGroup(context: RegistryContext, thingGroupName: string, recursive = false): string[] {
  requireThingGroup(context, thingGroupName);
  const groups = [
    thingGroupName,
    ...(recursive ? listThingGroups(context, { parentGroup: thingGroupName, recursive: true }).map((g) => g.thingGroupName) : []),
  ];
  const names = new Set(groups.flatMap((g) => context.state.thingGroupMembers[g] ?? []));
  return [...names].sort();
}

/** The groups a thing is directly in, by name. */
export function listThingGroupsForThing(context: RegistryContext, thingName: string): ThingGroupRecord[] {
  return Object.values(context.state.thingGroups)
    .filter((g) => (context.state.thingGroupMembers[g.thingGroupName] ?? []).includes(thingName))
    .sort((a, b) => a.thingGroupName.localeCompare(b.thingGroupName));
}

/** Forgets a deleted thing's memberships (DeleteThing); answers the changes to persist with the deletion. */
export function forgetThingMemberships(context: RegistryContext, thingName: string): RegistryChange[] {
  const changes: RegistryChange[] = [];
  for (const [thingGroupName, members] of Object.entries(context.state.thingGroupMembers)) {
    const index = members.indexOf(thingName);
    if (index < 0) continue;
    members.splice(index, 1);
    changes.push({ remove: 'thingGroupMembers', key: thingGroupName, member: thingName });
  }
  return changes;
}
