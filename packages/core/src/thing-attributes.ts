/**
 * AWS IoT thing attributes (name-value pairs on a thing, set by CreateThing / UpdateThing, by the
 * bulk import's `attr.<key>` columns) and the device list's filter on them. The limits are AWS
 * IoT's AttributePayload (https://docs.aws.amazon.com/iot/latest/apireference/API_AttributePayload.html):
 * names `[a-zA-Z0-9_.,@/:#-]+` of at most 128 characters, values `[a-zA-Z0-9_.,@/:#=\[\]-]*` of at
 * most 800. An attribute's value is never empty: UpdateThing with an empty value removes it.
 */
import { Type, type Static, type TSchema } from 'typebox';

export const thingAttributeLimits = {
  maxNameLength: 128,
  maxValueLength: 800,
  /** Attributes of one thing, as many as AWS IoT allows. */
  maxThingAttributes: 50,
  /** A user's attributes on one device: Fleet sets two of its own (owner, name) and keeps room. */
  maxUserAttributes: 20,
} as const;

const nameCharacters = 'a-zA-Z0-9_.,@/:#-';
const valueCharacters = 'a-zA-Z0-9_.,@/:#=\\[\\]-';
const namePart = `[${nameCharacters}]{1,${thingAttributeLimits.maxNameLength}}`;
const valuePart = `[${valueCharacters}]{1,${thingAttributeLimits.maxValueLength}}`;

/** Attribute names and values as AWS IoT's AttributePayload allows them. */
export const thingAttributeKeyPattern = new RegExp(`^${namePart}$`);
export const thingAttributeValuePattern = new RegExp(`^[${valueCharacters}]{0,${thingAttributeLimits.maxValueLength}}$`);

/**
 * Attributes Fleet sets on every thing it registers: the registering user's `sub` and the display
 * name (AWS's characters only). A user's own attributes take other names.
 */
export const platformThingAttributes = { owner: 'owner', name: 'name' } as const;
export const isPlatformThingAttribute = (name: string): boolean => Object.values<string>(platformThingAttributes).includes(name);

const attributeName = Type.String({ pattern: `^${namePart}$`, maxLength: thingAttributeLimits.maxNameLength });

/**
 * A map keyed by attribute names; the key rule is said twice, as `byMetricName` in
 * telemetry-contract.ts explains: `patternProperties` for validation, `propertyNames` for OpenAPI.
 */
const byAttributeName = <T extends TSchema>(value: T, options: { maxProperties: number; description: string }) =>
  Type.Record(attributeName, value, { ...options, additionalProperties: false, propertyNames: attributeName });

export const ThingAttributesSchema = byAttributeName(Type.String({ maxLength: thingAttributeLimits.maxValueLength }), {
  maxProperties: thingAttributeLimits.maxThingAttributes,
  description: "The thing's AWS IoT attributes, Fleet's `owner` and `name` included",
});
export type ThingAttributes = Static<typeof ThingAttributesSchema>;

/** Attributes a user gives a device at registration (`POST /api/devices`): Fleet's own names are refused. */
export const UserThingAttributesSchema = byAttributeName(
  Type.String({ pattern: `^${valuePart}$`, maxLength: thingAttributeLimits.maxValueLength }),
  {
    maxProperties: thingAttributeLimits.maxUserAttributes,
    description: `AWS IoT thing attributes, e.g. \`{"site": "lyon"}\`; not \`${platformThingAttributes.owner}\` nor \`${platformThingAttributes.name}\`, which Fleet sets`,
  },
);

/**
 * One condition of the device list's attribute filter, as the query string carries it:
 * `name=value` (the attribute has exactly that value) or `name` (the device has the attribute).
 * The name holds no `=`, so the first `=` separates them; the value may hold more.
 */
export const attributeFilterPattern = `^${namePart}(=${valuePart})?$`;
export const AttributeFilterSchema = Type.String({
  pattern: attributeFilterPattern,
  maxLength: thingAttributeLimits.maxNameLength + 1 + thingAttributeLimits.maxValueLength,
  description:
    '`name=value`: the device has attribute `name` with exactly that value; `name` alone: the device has that attribute. ' +
    'Names are 1–128 of A–Z a–z 0–9 _ . , @ / : # -, values 1–800 of the same and = [ ]',
});

export interface AttributeCondition {
  readonly name: string;
  /** Absent: any value. */
  readonly value?: string;
}

const filterExpression = new RegExp(attributeFilterPattern);

/** The condition a filter text states; undefined for a text the pattern refuses. */
export function parseAttributeFilter(text: string): AttributeCondition | undefined {
  if (!filterExpression.test(text)) return undefined;
  const at = text.indexOf('=');
  return at < 0 ? { name: text } : { name: text.slice(0, at), value: text.slice(at + 1) };
}

/** Whether attributes meet a condition; only own entries count (`constructor` is a name AWS allows). */
export function meetsAttributeCondition(attributes: Readonly<Record<string, string>> | undefined, condition: AttributeCondition): boolean {
  if (!attributes || !Object.hasOwn(attributes, condition.name)) return false;
  return condition.value === undefined || attributes[condition.name] === condition.value;
}

/** A device's attributes: `GET` reads them from its thing, `PUT` replaces the user's own. */
export const deviceAttributesPath = '/api/devices/:id/attributes';

/**
 * `PUT /api/devices/:id/attributes`: every attribute the user gives the device; one left out is
 * removed. Fleet's own (`owner`, `name`) are refused here and kept on the thing.
 */
export const DeviceAttributesChangeSchema = Type.Object({ attributes: UserThingAttributesSchema }, { additionalProperties: false });
export type DeviceAttributesChange = Static<typeof DeviceAttributesChangeSchema>;

/** The device's thing attributes as AWS IoT holds them now, Fleet's included, with the thing's version. */
export const DeviceAttributesSchema = Type.Object({
  attributes: ThingAttributesSchema,
  version: Type.Integer({ minimum: 1, description: "The thing's version (DescribeThing), one more at every change" }),
});
export type DeviceAttributes = Static<typeof DeviceAttributesSchema>;

/**
 * The UpdateThing attributes (with `merge`) that turn `current` into the platform's attributes of
 * `current` plus `wanted`, changes only (empty when there is none): each user attribute missing from
 * `wanted` is given the empty value, which removes it (AWS IoT's merge semantics).
 */
export function attributeReplacement(
  current: Readonly<Record<string, string>>,
  wanted: Readonly<Record<string, string>>,
): Record<string, string> {
  const payload: Record<string, string> = {};
  const set = (name: string, value: string) =>
    Object.defineProperty(payload, name, { value, enumerable: true, writable: true, configurable: true });
  for (const name of Object.keys(current)) if (!isPlatformThingAttribute(name) && !Object.hasOwn(wanted, name)) set(name, '');
  for (const [name, value] of Object.entries(wanted)) {
    if (!isPlatformThingAttribute(name) && !(Object.hasOwn(current, name) && current[name] === value)) set(name, value);
  }
  return payload;
}
