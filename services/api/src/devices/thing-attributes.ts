/**
 * Every thing's attributes, for the device list's attribute filter and search: ListThings pages
 * through the whole registry with each thing's attributes (250 a page, AWS's maximum), so 10,000
 * devices cost 40 calls per refresh of the device index, not one DescribeThing per device.
 * ListThings filters by one attribute only, and not by a value's part nor with other filters: the
 * device index filters in memory (`device-query.ts`).
 */
import { ListThingsCommand } from '@aws-sdk/client-iot';
import { isPlatformThingAttribute, type ThingAttributes } from '@fleet/core';
import type { ApiClients } from '../aws-clients.ts';
import { apiError } from '../errors.ts';

/** AWS: ListThings answers at most 250 things a page. */
const pageSize = 250;

/** Thing name → its attributes (a Map: thing names are the caller's, `__proto__` one of them). */
export async function listThingAttributes(iot: ApiClients['iot']): Promise<Map<string, ThingAttributes>> {
  const attributes = new Map<string, ThingAttributes>();
  let nextToken: string | undefined;
  do {
    const page = await iot.send(new ListThingsCommand({ maxResults: pageSize, ...(nextToken ? { nextToken } : {}) }));
    for (const thing of page.things ?? []) {
      if (thing.thingName !== undefined) attributes.set(thing.thingName, thing.attributes ?? {});
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return attributes;
}

/** 400 ValidationError for a user's attribute that takes a name Fleet sets itself (`owner`, `name`). */
export function refuseReservedAttributes(attributes: Readonly<Record<string, string>> | undefined): void {
  const reserved = Object.keys(attributes ?? {}).filter(isPlatformThingAttribute);
  if (reserved.length > 0) {
    throw apiError('ValidationError', `body/attributes/${reserved[0]} is set by Fleet itself; give your attribute another name`);
  }
}
