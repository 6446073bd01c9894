/**
 * Reading request fields as Cognito validates them: a missing or mistyped member is an
 * InvalidParameterException naming the member, as the service answers.
 */
import { AwsError } from '../aws-endpoint/index.ts';

export type WireInput = Record<string, unknown>;

export function requiredString(input: WireInput, name: string): string {
  const value = input[name];
  if (typeof value !== 'string' || value.length === 0) {
    throw new AwsError(
      'InvalidParameterException',
      `1 validation error detected: Value at '${lowerFirst(name)}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return value;
}

export function optionalString(input: WireInput, name: string): string | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new AwsError('InvalidParameterException', `${name} must be a string; received ${typeof value}`);
  return value;
}

export function optionalNumber(input: WireInput, name: string): number | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new AwsError('InvalidParameterException', `${name} must be a number; received ${JSON.stringify(value)}`);
  }
  return value;
}

export function optionalStringList(input: WireInput, name: string): string[] | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new AwsError('InvalidParameterException', `${name} must be a list of strings`);
  }
  return value as string[];
}

export function optionalRecord(input: WireInput, name: string): Record<string, unknown> | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw new AwsError('InvalidParameterException', `${name} must be an object`);
  return value as Record<string, unknown>;
}

/** Cognito's `[{ Name, Value }]` attribute list as a record. */
export function attributeList(input: WireInput, name: string): Record<string, string> {
  const value = input[name];
  if (value === undefined || value === null) return {};
  if (!Array.isArray(value)) throw new AwsError('InvalidParameterException', `${name} must be a list of { Name, Value }`);
  const out: Record<string, string> = {};
  for (const item of value as { Name?: unknown; Value?: unknown }[]) {
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

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);
