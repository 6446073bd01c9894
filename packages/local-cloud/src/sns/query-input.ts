/**
 * Reading SNS's Query-protocol parameters. The SDK and botocore flatten structures with dots:
 * lists as `Name.member.N.Field`, maps as `Name.entry.N.key` / `.value` (MessageAttributes as
 * `.Name` / `.Value.DataType`), with N counting from 1. Missing or malformed required fields answer
 * InvalidParameter, as SNS does.
 */
import { invalidParameter } from './sns-errors.ts';

export type QueryParams = URLSearchParams;

export function optionalString(params: QueryParams, name: string): string | undefined {
  return params.get(name) ?? undefined;
}

export function requiredString(params: QueryParams, name: string): string {
  const value = params.get(name);
  if (value === null || value === '') throw invalidParameter(name, `${name} is required`);
  return value;
}

export function optionalBoolean(params: QueryParams, name: string): boolean | undefined {
  const value = params.get(name);
  if (value === null) return undefined;
  if (value !== 'true' && value !== 'false') throw invalidParameter(name, `expected true or false, received "${value}"`);
  return value === 'true';
}

/** The sub-parameters under `prefix.` with the prefix removed (`Attributes.entry.1.key` → `entry.1.key`). */
export function subParams(params: QueryParams, prefix: string): QueryParams {
  const result = new URLSearchParams();
  const start = `${prefix}.`;
  for (const [name, value] of params) if (name.startsWith(start)) result.append(name.slice(start.length), value);
  return result;
}

/** Indexed items under `prefix.<1..N>.`, in index order (N as sent; gaps are skipped). */
export function indexedItems(params: QueryParams, prefix: string): QueryParams[] {
  const items = new Map<number, QueryParams>();
  const start = `${prefix}.`;
  for (const [name, value] of params) {
    if (!name.startsWith(start)) continue;
    const rest = name.slice(start.length);
    const dot = rest.indexOf('.');
    const index = Number(dot < 0 ? rest : rest.slice(0, dot));
    if (!Number.isInteger(index) || index < 1) continue;
    const item = items.get(index) ?? new URLSearchParams();
    items.set(index, item);
    item.append(dot < 0 ? '' : rest.slice(dot + 1), value);
  }
  return [...items.entries()].sort(([a], [b]) => a - b).map(([, item]) => item);
}

/** A string map `prefix.entry.N.key` / `prefix.entry.N.value`. */
export function stringMap(params: QueryParams, prefix: string): Record<string, string> {
  const map: Record<string, string> = {};
  for (const entry of indexedItems(params, `${prefix}.entry`)) {
    const key = entry.get('key');
    if (key === null) throw invalidParameter(prefix, 'a map entry has no key');
    map[key] = entry.get('value') ?? '';
  }
  return map;
}

/** A list of structures `prefix.member.N.<Field>`. */
export function structureList(params: QueryParams, prefix: string): QueryParams[] {
  return indexedItems(params, `${prefix}.member`);
}

/** A list of strings `prefix.member.N`. */
export function stringList(params: QueryParams, prefix: string): string[] {
  return indexedItems(params, `${prefix}.member`).map((item) => item.get('') ?? '');
}

export interface MessageAttributeValue {
  readonly DataType: string;
  readonly StringValue?: string;
  /** Base64, as the Query protocol carries a blob. */
  readonly BinaryValue?: string;
}

/** `prefix.entry.N.Name`, `.Value.DataType`, `.Value.StringValue`, `.Value.BinaryValue`. */
export function messageAttributes(params: QueryParams, prefix: string): Record<string, MessageAttributeValue> {
  const attributes: Record<string, MessageAttributeValue> = {};
  for (const entry of indexedItems(params, `${prefix}.entry`)) {
    const name = entry.get('Name');
    const dataType = entry.get('Value.DataType');
    if (name === null || name === '') throw invalidParameter('MessageAttributes', 'a message attribute has no name');
    if (dataType === null || dataType === '')
      throw invalidParameter(`MessageAttributes`, `the message attribute '${name}' has no DataType`);
    const stringValue = entry.get('Value.StringValue');
    const binaryValue = entry.get('Value.BinaryValue');
    attributes[name] = {
      DataType: dataType,
      ...(stringValue !== null ? { StringValue: stringValue } : {}),
      ...(binaryValue !== null ? { BinaryValue: binaryValue } : {}),
    };
  }
  return attributes;
}
