/**
 * What may be forwarded to dynalite. dynalite assumes a request body that parses to a JSON object:
 * its `validations.checkTypes` reads properties of the parsed value (`null` throws a TypeError in
 * its request handler and kills the process: issue 7) and type-checks nested attribute values by
 * recursion (a deep enough document overflows the stack, in the same handler). AWS answers both
 * with a 400, so the guard does too, before dynalite sees the request.
 */
import { AwsError, parseJsonObject } from '../aws-endpoint/index.ts';

/**
 * DynamoDB nests attribute values at most 32 levels deep ("Nesting Levels have exceeded supported
 * limits"); each level is two JSON levels (`{"M": {"name": …}}`) under a few levels of request structure.
 */
export const maxJsonDepth = 32 * 2 + 8;

/** The parsed input of a DynamoDB request, or an AwsError in DynamoDB's shape. */
export function guardDynamoDbRequest(body: Buffer): Record<string, unknown> {
  let input: Record<string, unknown>;
  try {
    input = parseJsonObject(body);
  } catch (err) {
    if (err instanceof AwsError) throw new AwsError('com.amazon.coral.service#SerializationException', err.message);
    throw err;
  }
  if (jsonDepth(input) > maxJsonDepth) {
    throw new AwsError('com.amazon.coral.validate#ValidationException', 'Nesting Levels have exceeded supported limits');
  }
  return input;
}

/** Depth of a parsed JSON value, without recursion (a hostile document must not overflow our stack either). */
export function jsonDepth(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop() as [unknown, number];
    if (current === null || typeof current !== 'object') continue;
    if (depth > deepest) deepest = depth;
    if (deepest > maxJsonDepth) return deepest;
    for (const child of Array.isArray(current) ? current : Object.values(current)) stack.push([child, depth + 1]);
  }
  return deepest;
}
