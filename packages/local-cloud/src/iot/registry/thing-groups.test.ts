import { describe, expect, it } from 'vitest';
import { testContext } from './registry-test-context.ts';
import {
  addThingToThingGroup,
  ancestorsOf,
  createThingGroup,
  listThingGroups,
  listThingGroupsForThing,
  listThingsInThingGroup,
  maxGroupsPerThing,
  removeThingFromThingGroup,
} from './thing-groups.ts';
import { createThing, deleteThing } from './things.ts';

describe('thing groups', () => {
  it('creates a group with its ARN, version 1 and creation date, and persists it', () => {
    const t = testContext();
    const group = createThingGroup(t.context, { thingGroupName: 'site', description: 'the site', attributes: { city: 'lyon' } });
    expect(group).toMatchObject({ thingGroupArn: t.context.arn('thinggroup', 'site'), version: 1, description: 'the site' });
    expect(group.creationDate).toBe(t.context.now());
    expect(t.saves()).toBe(1);
  });

  it('follows the hierarchy: ancestors root first, descendants when recursive', () => {
    const { context } = testContext();
    createThingGroup(context, { thingGroupName: 'a' });
    createThingGroup(context, { thingGroupName: 'b', parentGroupName: 'a' });
    const c = createThingGroup(context, { thingGroupName: 'c', parentGroupName: 'b' });
    expect(ancestorsOf(context, c).map((g) => g.thingGroupName)).toEqual(['a', 'b']);
    expect(listThingGroups(context, { parentGroup: 'a' }).map((g) => g.thingGroupName)).toEqual(['b']);
    expect(listThingGroups(context, { parentGroup: 'a', recursive: true }).map((g) => g.thingGroupName)).toEqual(['b', 'c']);
    createThing(context, { thingName: 'deep' });
    addThingToThingGroup(context, 'c', 'deep');
    expect(listThingsInThingGroup(context, 'a')).toEqual([]);
    expect(listThingsInThingGroup(context, 'a', true)).toEqual(['deep']);
  });

  it('answers whether a membership changed, and refuses an 11th group for a thing', () => {
    const { context } = testContext();
    createThing(context, { thingName: 't' });
    for (let i = 0; i <= maxGroupsPerThing; i++) createThingGroup(context, { thingGroupName: `g${i}` });
    expect(addThingToThingGroup(context, 'g0', 't')).toBe(true);
    expect(addThingToThingGroup(context, 'g0', 't')).toBe(false);
    for (let i = 1; i < maxGroupsPerThing; i++) addThingToThingGroup(context, `g${i}`, 't');
    expect(() => addThingToThingGroup(context, `g${maxGroupsPerThing}`, 't')).toThrow(
      expect.objectContaining({ code: 'LimitExceededException', status: 410 }),
    );
    expect(removeThingFromThingGroup(context, 'g0', 't')).toBe(true);
    expect(removeThingFromThingGroup(context, 'g0', 't')).toBe(false);
    expect(listThingGroupsForThing(context, 't')).toHaveLength(maxGroupsPerThing - 1);
    deleteThing(context, 't');
    expect(listThingGroupsForThing(context, 't')).toEqual([]);
  });
});
