/**
 * Reading request fields as Cognito validates them: a missing member is an
 * InvalidParameterException naming the member, as the service answers.
 */
import { AwsError, requestFields } from '../aws-endpoint/index.ts';

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

export type WireInput = Record<string, unknown>;

const invalid = (message: string) => new AwsError('InvalidParameterException', message);
const fields = requestFields({
  invalid,
  missing: (name) =>
    invalid(`1 validation error detected: Value at '${lowerFirst(name)}' failed to satisfy constraint: Member must not be null`),
});

export const requiredString = fields.requiredString;
export const optionalString = fields.string;
export const optionalNumber = fields.number;
export const requiredNumber = fields.requiredNumber;
export const optionalStringList = fields.stringList;
export const optionalRecord = fields.object;

/** Cognito's `[{ Name, Value }]` attribute list as a record. */
export function attributeList(input: WireInput, name: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of (fields.list(input, name) ?? []) as { Name?: unknown; Value?: unknown }[]) {
    if (typeof item?.Name !== 'string') throw new AwsError('InvalidParameterException', `${name} entries need a Name`);
    out[item.Name] = typeof item.Value === 'string' ? item.Value : '';
  }
  return out;
}

/**
 * Simple offset pagination: the token is the index of the next item (Cognito's tokens are
 * opaque; callers only pass them back).
 */
export function paginate<T>(
  items: readonly T[],
  limit: number | undefined,
  token: string | undefined,
  max = 60,
): { page: T[]; next?: string } {
  const start = token === undefined ? 0 : /^\d{1,9}$/.test(token) ? Number(token) : -1;
  if (start < 0) throw new AwsError('InvalidParameterException', `Invalid pagination token "${token}"`);
  const size = Math.min(Math.max(limit ?? max, 1), max);
  const page = items.slice(start, start + size);
  return start + size < items.length ? { page, next: String(start + size) } : { page };
}
