/**
 * AWS IoT policy evaluation, pure: the decision AWS IoT Core takes for one action on one resource
 * given the policies attached to the connection's principal.
 * - Explicit Deny wins over Allow; nothing matching is an implicit deny
 *   (https://docs.aws.amazon.com/iot/latest/developerguide/iot-policies.html).
 * - `*` and `?` are the only wildcards in Action and Resource; MQTT's `+` and `#` are literal
 *   characters in policy resources (https://docs.aws.amazon.com/iot/latest/developerguide/pub-sub-policy.html).
 * - Policy variables (`${iot:ClientId}`, `${iot:Connection.Thing.ThingName}`,
 *   `${cognito-identity.amazonaws.com:sub}`, ...) are substituted from the connection context; a
 *   statement whose variable cannot be resolved does not match (it neither allows nor denies).
 */
import { boundedMemo } from '../../memo/bounded-memo.ts';

export interface PolicyStatement {
  readonly Effect: string;
  readonly Action?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: PolicyStatement | readonly PolicyStatement[];
}

/** Values known about the connection, by policy-variable / condition-key name. */
export type PolicyContext = Readonly<Record<string, string | undefined>>;

export type PolicyDecision = 'allow' | 'explicit-deny' | 'implicit-deny';

/** Context keys used by the broker, as AWS names them. */
export const contextKeys = {
  clientId: 'iot:ClientId',
  thingName: 'iot:Connection.Thing.ThingName',
  isAttached: 'iot:Connection.Thing.IsAttached',
  cognitoSub: 'cognito-identity.amazonaws.com:sub',
} as const;

/** Builds the context of one connection. */
export function connectionContext(input: { clientId: string; thingName?: string; cognitoIdentityId?: string }): PolicyContext {
  return {
    [contextKeys.clientId]: input.clientId,
    [contextKeys.thingName]: input.thingName,
    [contextKeys.isAttached]: input.thingName !== undefined ? 'true' : 'false',
    [contextKeys.cognitoSub]: input.cognitoIdentityId,
  };
}

/** Decides one action (e.g. `iot:Publish`) on one resource ARN against every attached policy. */
export function evaluatePolicies(
  documents: readonly PolicyDocument[],
  action: string,
  resource: string,
  context: PolicyContext,
): PolicyDecision {
  let allowed = false;
  for (const document of documents) {
    for (const statement of asArray(document.Statement)) {
      if (!statementMatches(statement, action, resource, context)) continue;
      if (statement.Effect === 'Deny') return 'explicit-deny';
      if (statement.Effect === 'Allow') allowed = true;
    }
  }
  return allowed ? 'allow' : 'implicit-deny';
}

function statementMatches(statement: PolicyStatement, action: string, resource: string, context: PolicyContext): boolean {
  const actions = asArray(statement.Action);
  if (!actions.some((pattern) => wildcardMatch(pattern, action, true))) return false;
  const resources = asArray(statement.Resource);
  const resourceMatches = resources.some((pattern) => {
    const substituted = substituteVariables(pattern, context);
    return substituted !== undefined && wildcardMatch(substituted, resource, false);
  });
  if (!resourceMatches) return false;
  return conditionsHold(statement.Condition, context);
}

/** Replaces `${key}` with context values; undefined when one is unknown. */
export function substituteVariables(pattern: string, context: PolicyContext): string | undefined {
  let unresolved = false;
  const result = pattern.replace(/\$\{([^}]+)\}/g, (_all, key: string) => {
    // IAM's escapes for literal characters.
    if (key === '*' || key === '?' || key === '$') return `\u0000${key}`;
    const value = context[key];
    if (value === undefined) {
      unresolved = true;
      return '';
    }
    // A value is matched literally: its own `*` / `?` must not act as wildcards.
    return value.replace(/[*?]/g, (c) => `\u0000${c}`);
  });
  return unresolved ? undefined : result;
}

/**
 * Compiled patterns by case flag. Every MQTT publish and every AWS-port request is evaluated against
 * the same few patterns (per device once substituted): compiling them each time was the largest
 * single cost of the broker in a CPU profile of the ingest bench (bench/README.md). Bounded, oldest
 * first out, so that device ids and resource names cannot grow it without end.
 */
const compiled = { sensitive: boundedMemo<RegExp>(5_000), insensitive: boundedMemo<RegExp>(5_000) };

/** `*` matches any run of characters, `?` exactly one; `\u0000x` is a literal x (see substitution). */
export function wildcardMatch(pattern: string, value: string, caseInsensitive: boolean): boolean {
  const memo = caseInsensitive ? compiled.insensitive : compiled.sensitive;
  return memo.get(pattern, () => compileWildcard(pattern, caseInsensitive)).test(value);
}

function compileWildcard(pattern: string, caseInsensitive: boolean): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '\u0000') {
      i++;
      source += escapeRegExp(pattern[i] ?? '');
    } else if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else source += escapeRegExp(c);
  }
  return new RegExp(`^${source}$`, caseInsensitive ? 'si' : 's');
}

function conditionsHold(condition: PolicyStatement['Condition'], context: PolicyContext): boolean {
  if (!condition) return true;
  for (const [operator, entries] of Object.entries(condition)) {
    for (const [key, expected] of Object.entries(entries)) {
      const actual = context[key];
      const expectedValues = asArray(expected as string | boolean | readonly (string | boolean)[]).map((v) =>
        substituteVariables(String(v), context),
      );
      if (!operatorHolds(operator, actual, expectedValues)) return false;
    }
  }
  return true;
}

function operatorHolds(operator: string, actual: string | undefined, expected: readonly (string | undefined)[]): boolean {
  const ifExists = operator.endsWith('IfExists');
  const op = ifExists ? operator.slice(0, -'IfExists'.length) : operator;
  const defined = expected.filter((v): v is string => v !== undefined);
  if (op === 'Null') return defined.some((v) => v.toLowerCase() === String(actual === undefined));
  if (actual === undefined) return ifExists;
  switch (op) {
    case 'Bool':
      return defined.some((v) => v.toLowerCase() === actual.toLowerCase());
    case 'StringEquals':
      return defined.includes(actual);
    case 'StringNotEquals':
      return !defined.includes(actual);
    case 'StringEqualsIgnoreCase':
      return defined.some((v) => v.toLowerCase() === actual.toLowerCase());
    case 'StringLike':
      return defined.some((v) => wildcardMatch(v, actual, false));
    case 'StringNotLike':
      return !defined.some((v) => wildcardMatch(v, actual, false));
    default:
      // An operator we do not know is not satisfied: failing closed is the safe direction.
      return false;
  }
}

function asArray<T>(value: T | readonly T[] | undefined): readonly T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? (value as readonly T[]) : [value as T];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
