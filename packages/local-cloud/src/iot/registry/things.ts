/**
 * Things: CreateThing, DescribeThing, ListThings, UpdateThing and DeleteThing with the
 * validation, idempotency and version checks of the AWS IoT API reference.
 */
import { randomUUID } from 'node:crypto';
import { AwsError } from '../../aws-endpoint/index.ts';
import { ownValue, setOwn } from '../../aws-endpoint/own-record.ts';
import { invalid, requireThing, saveChange, type RegistryContext } from './registry-context.ts';
import type { ThingRecord } from './registry-store.ts';
import { forgetThingMemberships } from './thing-groups.ts';

/** AWS IoT thing names. */
export const thingNamePattern = /^[a-zA-Z0-9:_-]{1,128}$/;

export interface CreateThingInput {
  readonly thingName: string;
  readonly thingTypeName?: string;
  readonly attributes?: Record<string, string>;
}

export interface UpdateThingInput {
  readonly thingName: string;
  readonly attributes?: Record<string, string>;
  readonly merge?: boolean;
  readonly expectedVersion?: number;
}

export interface ThingFilter {
  readonly attributeName?: string;
  readonly attributeValue?: string;
  readonly thingTypeName?: string;
}

export function createThing(context: RegistryContext, input: CreateThingInput): ThingRecord {
  if (!thingNamePattern.test(input.thingName)) throw invalid(`Thing name "${input.thingName}" must match [a-zA-Z0-9:_-]{1,128}`);
  const attributes = input.attributes ?? {};
  const existing = context.state.things[input.thingName];
  if (existing) {
    // AWS: the same name and configuration succeeds again; a different configuration is a conflict.
    if (JSON.stringify(existing.attributes) === JSON.stringify(attributes) && existing.thingTypeName === input.thingTypeName) {
      return existing;
    }
    throw new AwsError(
      'ResourceAlreadyExistsException',
      `Thing ${input.thingName} already exists in account with different attributes`,
      409,
      {},
    );
  }
  const record: ThingRecord = {
    thingName: input.thingName,
    thingId: randomUUID(),
    thingArn: context.arn('thing', input.thingName),
    ...(input.thingTypeName ? { thingTypeName: input.thingTypeName } : {}),
    attributes: { ...attributes },
    version: 1,
  };
  context.state.things[input.thingName] = record;
  saveChange(context, [{ put: 'things', key: input.thingName }]);
  return record;
}

export const describeThing = (context: RegistryContext, thingName: string): ThingRecord => requireThing(context, thingName);

/**
 * Things matching every given filter, by name. Attribute names are the caller's (`constructor` is
 * one AWS allows): only a thing's own attributes count, never what its record inherits.
 */
export function listThings(context: RegistryContext, filter: ThingFilter): ThingRecord[] {
  return Object.values(context.state.things)
    .filter((t) => !filter.thingTypeName || t.thingTypeName === filter.thingTypeName)
    .filter(
      (t) =>
        !filter.attributeName ||
        (Object.hasOwn(t.attributes, filter.attributeName) &&
          (filter.attributeValue === undefined || ownValue(t.attributes, filter.attributeName) === filter.attributeValue)),
    )
    .sort((a, b) => a.thingName.localeCompare(b.thingName));
}

export function updateThing(context: RegistryContext, input: UpdateThingInput): void {
  const record = requireThing(context, input.thingName);
  if (input.expectedVersion !== undefined && input.expectedVersion !== record.version) {
    throw new AwsError('VersionConflictException', `The version for thing ${input.thingName} does not match the expected version.`, 409);
  }
  if (input.attributes) {
    // AWS: with merge, an empty value removes the attribute; without, the attributes are replaced.
    const next: Record<string, string> = input.merge ? { ...record.attributes } : {};
    for (const [key, value] of Object.entries(input.attributes)) {
      if (value === '') delete next[key];
      // An attribute named `__proto__` is a key like any other (an assignment would set the prototype).
      else setOwn(next, key, value);
    }
    record.attributes = next;
  }
  record.version += 1;
  saveChange(context, [{ put: 'things', key: input.thingName }]);
}

export function deleteThing(context: RegistryContext, thingName: string, expectedVersion?: number): void {
  const { state } = context;
  const record = state.things[thingName];
  // AWS: deleting a thing that does not exist succeeds.
  if (!record) return;
  if (expectedVersion !== undefined && expectedVersion !== record.version) {
    throw new AwsError('VersionConflictException', `The version for thing ${thingName} does not match the expected version.`, 409);
  }
  if ((state.thingPrincipals[thingName] ?? []).length > 0) {
    throw invalid(`Cannot delete thing ${thingName}: it has attached principals; detach them first (DetachThingPrincipal)`);
  }
  delete state.things[thingName];
  delete state.thingPrincipals[thingName];
  saveChange(context, [
    { put: 'things', key: thingName },
    { put: 'thingPrincipals', key: thingName },
    ...forgetThingMemberships(context, thingName),
  ]);
}
