import { describe, expect, it } from 'vitest';
import { attachThingPrincipal } from './attachments.ts';
import { createThing, deleteThing, describeThing, listThings, updateThing } from './things.ts';
import { identityId, testContext } from './registry-test-context.ts';

describe('things', () => {
  it('creates a thing with its ARN, an id and version 1, and persists it', () => {
    const t = testContext();
    const thing = createThing(t.context, { thingName: 'alpha', thingTypeName: 'sensor', attributes: { room: 'a' } });
    expect(thing).toMatchObject({ thingName: 'alpha', thingArn: t.context.arn('thing', 'alpha'), thingTypeName: 'sensor', version: 1 });
    expect(thing.thingId).toMatch(/^[0-9a-f-]{36}$/);
    expect(describeThing(t.context, 'alpha')).toBe(thing);
    expect(t.saves()).toBe(1);
  });

  it('succeeds again for the same configuration and answers ResourceAlreadyExistsException for another', () => {
    const { context } = testContext();
    const first = createThing(context, { thingName: 'alpha', attributes: { room: 'a' } });
    expect(createThing(context, { thingName: 'alpha', attributes: { room: 'a' } })).toBe(first);
    expect(() => createThing(context, { thingName: 'alpha', attributes: { room: 'b' } })).toThrow(
      expect.objectContaining({ code: 'ResourceAlreadyExistsException', status: 409 }),
    );
  });

  it('refuses a thing name outside [a-zA-Z0-9:_-]{1,128}', () => {
    const { context } = testContext();
    for (const thingName of ['', 'has space', 'x'.repeat(129)]) {
      expect(() => createThing(context, { thingName })).toThrow(expect.objectContaining({ code: 'InvalidRequestException' }));
    }
  });

  it('lists things by name, filtered by type and attribute', () => {
    const { context } = testContext();
    createThing(context, { thingName: 'c', thingTypeName: 'sensor', attributes: { room: 'a' } });
    createThing(context, { thingName: 'a', attributes: { room: 'b' } });
    createThing(context, { thingName: 'b', thingTypeName: 'sensor' });
    expect(listThings(context, {}).map((t) => t.thingName)).toEqual(['a', 'b', 'c']);
    expect(listThings(context, { thingTypeName: 'sensor' }).map((t) => t.thingName)).toEqual(['b', 'c']);
    expect(listThings(context, { attributeName: 'room' }).map((t) => t.thingName)).toEqual(['a', 'c']);
    expect(listThings(context, { attributeName: 'room', attributeValue: 'a' }).map((t) => t.thingName)).toEqual(['c']);
  });

  it('updates attributes: merged (an empty value removes one) or replaced, with the version checked and bumped', () => {
    const { context } = testContext();
    createThing(context, { thingName: 'alpha', attributes: { room: 'a', floor: '1' } });
    updateThing(context, { thingName: 'alpha', attributes: { room: '', owner: 'x' }, merge: true, expectedVersion: 1 });
    expect(describeThing(context, 'alpha')).toMatchObject({ attributes: { floor: '1', owner: 'x' }, version: 2 });
    updateThing(context, { thingName: 'alpha', attributes: { only: 'this' } });
    expect(describeThing(context, 'alpha')).toMatchObject({ attributes: { only: 'this' }, version: 3 });
    expect(() => updateThing(context, { thingName: 'alpha', expectedVersion: 1 })).toThrow(
      expect.objectContaining({ code: 'VersionConflictException', status: 409 }),
    );
  });

  it('deletes a thing; a missing thing is no error, one with principals or a wrong version is', () => {
    const t = testContext();
    createThing(t.context, { thingName: 'alpha' });
    createThing(t.context, { thingName: 'beta' });
    attachThingPrincipal(t.context, 'beta', identityId);
    expect(() => deleteThing(t.context, 'alpha', 7)).toThrow(expect.objectContaining({ code: 'VersionConflictException' }));
    expect(() => deleteThing(t.context, 'beta')).toThrow(/attached principals/);
    deleteThing(t.context, 'alpha', 1);
    expect(() => describeThing(t.context, 'alpha')).toThrow(expect.objectContaining({ code: 'ResourceNotFoundException' }));
    const saves = t.saves();
    deleteThing(t.context, 'alpha');
    expect(t.saves()).toBe(saves);
  });
});
