/**
 * SNS subscription filter policies ("Amazon SNS message filtering" in the SNS Developer Guide):
 * a JSON object whose keys name message attributes (FilterPolicyScope `MessageAttributes`, the
 * default) or body properties (`MessageBody`, nested objects for nested properties), each with an
 * array of conditions of which one must match; every key must match; `$or` holds alternative
 * policies. Conditions: exact string or number, `prefix`, `suffix`, `equals-ignore-case`,
 * `anything-but` (values or a prefix/suffix), `numeric` (`=`, `<`, `<=`, `>`, `>=`, ranges) and
 * `exists`. A key the message lacks matches only `{"exists": false}`; a String.Array attribute
 * matches when one of its elements does; Binary attributes are never matched, as on AWS.
 */
import type { MessageAttributeValue } from './query-input.ts';
import { invalidParameter } from './sns-errors.ts';

export type FilterPolicyScope = 'MessageAttributes' | 'MessageBody';

type Condition = string | number | boolean | null | Record<string, unknown>;
type Scalar = string | number | boolean | null;

const numericOperators: ReadonlySet<string> = new Set(['=', '<', '<=', '>', '>=']);

/** Parses and validates a FilterPolicy attribute; throws InvalidParameter naming what is wrong. */
export function parseFilterPolicy(text: string): Record<string, unknown> {
  let policy: unknown;
  try {
    policy = JSON.parse(text);
  } catch {
    throw invalidParameter('FilterPolicy', 'failed to parse JSON');
  }
  validatePolicy(policy, 'FilterPolicy');
  return policy as Record<string, unknown>;
}

function validatePolicy(policy: unknown, path: string): void {
  if (!isObject(policy)) throw invalidParameter('FilterPolicy', `${path} must be a JSON object`);
  for (const [key, value] of Object.entries(policy)) {
    if (key === '$or') {
      if (!Array.isArray(value) || value.length < 2)
        throw invalidParameter('FilterPolicy', '$or must hold an array of at least two policies');
      value.forEach((alternative, i) => validatePolicy(alternative, `${path}.$or[${i}]`));
    } else if (Array.isArray(value)) {
      if (value.length === 0) throw invalidParameter('FilterPolicy', `${path}.${key} has an empty list of conditions`);
      for (const condition of value as Condition[]) validateCondition(condition, `${path}.${key}`);
    } else if (isObject(value)) {
      validatePolicy(value, `${path}.${key}`);
    } else {
      throw invalidParameter('FilterPolicy', `${path}.${key} must be an array of conditions or a nested object`);
    }
  }
}

function validateCondition(condition: Condition, path: string): void {
  if (!isObject(condition)) return;
  const entries = Object.entries(condition);
  if (entries.length !== 1) throw invalidParameter('FilterPolicy', `${path}: a condition object has exactly one match type`);
  const [type, operand] = entries[0]!;
  switch (type) {
    case 'prefix':
    case 'suffix':
    case 'equals-ignore-case':
      if (typeof operand !== 'string') throw invalidParameter('FilterPolicy', `${path}: ${type} needs a string`);
      return;
    case 'exists':
      if (typeof operand !== 'boolean') throw invalidParameter('FilterPolicy', `${path}: exists needs true or false`);
      return;
    case 'anything-but': {
      if (isObject(operand)) return validateCondition(operand, path);
      const values = Array.isArray(operand) ? operand : [operand];
      if (!values.every((v) => typeof v === 'string' || typeof v === 'number')) {
        throw invalidParameter('FilterPolicy', `${path}: anything-but needs strings, numbers or a prefix/suffix`);
      }
      return;
    }
    case 'numeric':
      parseNumericRange(operand, path);
      return;
    default:
      throw invalidParameter('FilterPolicy', `${path}: Unrecognized match type ${type}`);
  }
}

function parseNumericRange(operand: unknown, path: string): [string, number][] {
  if (!Array.isArray(operand) || operand.length === 0 || operand.length % 2 !== 0 || operand.length > 4) {
    throw invalidParameter('FilterPolicy', `${path}: numeric needs [operator, number] or a range of two`);
  }
  const pairs: [string, number][] = [];
  for (let i = 0; i < operand.length; i += 2) {
    const [operator, value] = [operand[i] as unknown, operand[i + 1] as unknown];
    if (typeof operator !== 'string' || !numericOperators.has(operator) || typeof value !== 'number') {
      throw invalidParameter('FilterPolicy', `${path}: bad numeric operator or value ${JSON.stringify([operator, value])}`);
    }
    pairs.push([operator, value]);
  }
  return pairs;
}

/** The document a policy of scope MessageAttributes is matched against: Number as numbers, String.Array as arrays. */
export function attributesDocument(attributes: Readonly<Record<string, MessageAttributeValue>>): Record<string, unknown> {
  const document: Record<string, unknown> = {};
  for (const [name, attribute] of Object.entries(attributes)) {
    const baseType = attribute.DataType.split('.')[0];
    if (attribute.DataType.startsWith('String.Array')) {
      try {
        document[name] = JSON.parse(attribute.StringValue ?? '[]') as unknown;
      } catch {
        document[name] = attribute.StringValue;
      }
    } else if (baseType === 'Number') document[name] = Number(attribute.StringValue);
    else if (baseType === 'String') document[name] = attribute.StringValue;
  }
  return document;
}

/** Whether a message passes the policy. */
export function matchesFilterPolicy(policy: Readonly<Record<string, unknown>>, document: unknown): boolean {
  if (!isObject(document)) return false;
  return Object.entries(policy).every(([key, rule]) => {
    if (key === '$or') return (rule as Record<string, unknown>[]).some((alternative) => matchesFilterPolicy(alternative, document));
    const present = Object.hasOwn(document, key);
    const value = present ? document[key] : undefined;
    if (Array.isArray(rule)) return (rule as Condition[]).some((condition) => matchesCondition(condition, present, value));
    return present && matchesFilterPolicy(rule as Record<string, unknown>, value);
  });
}

function matchesCondition(condition: Condition, present: boolean, value: unknown): boolean {
  if (isObject(condition) && 'exists' in condition) return condition.exists === present;
  if (!present) return false;
  const values: unknown[] = Array.isArray(value) ? value : [value];
  if (isObject(condition) && 'anything-but' in condition) {
    // anything-but: no element may be one of the excluded ones.
    return values.every((v) => !matchesAny(condition['anything-but'], v));
  }
  return values.some((v) => matchesScalar(condition, v));
}

function matchesAny(excluded: unknown, value: unknown): boolean {
  if (isObject(excluded)) return matchesScalar(excluded, value);
  const list: unknown[] = Array.isArray(excluded) ? excluded : [excluded];
  return list.some((item) => matchesScalar(item as Scalar, value));
}

function matchesScalar(condition: Condition, value: unknown): boolean {
  if (!isObject(condition)) {
    if (typeof condition === 'number') return typeof value === 'number' && value === condition;
    return value === condition;
  }
  const [type, operand] = Object.entries(condition)[0] ?? [];
  switch (type) {
    case 'prefix':
      return typeof value === 'string' && value.startsWith(operand as string);
    case 'suffix':
      return typeof value === 'string' && value.endsWith(operand as string);
    case 'equals-ignore-case':
      return typeof value === 'string' && value.toLowerCase() === (operand as string).toLowerCase();
    case 'numeric':
      return (
        typeof value === 'number' && Number.isFinite(value) && parseNumericRange(operand, '').every(([op, n]) => compare(value, op, n))
      );
    default:
      return false;
  }
}

function compare(value: number, operator: string, operand: number): boolean {
  switch (operator) {
    case '=':
      return value === operand;
    case '<':
      return value < operand;
    case '<=':
      return value <= operand;
    case '>':
      return value > operand;
    default:
      return value >= operand;
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
