/**
 * TransactWriteItems / TransactGetItems, which dynalite lacks, built on dynalite's single-item
 * operations (wire JSON in, wire JSON out, so every AttributeValue type passes through as is).
 *
 * All-or-nothing for conditions, as in DynamoDB ("TransactWriteItems", API Reference): the items
 * are applied one by one with their own conditions; when one fails, the items applied before it
 * are restored from images read before the transaction, and the call answers
 * TransactionCanceledException with one CancellationReason per item. Transactions are serialised
 * among themselves. Known differences, acceptable for a local stand-in: not isolated from
 * concurrent non-transactional writes to the same items, a crash mid-transaction can leave it
 * half applied, and only the first failing condition is reported (AWS reports all of them).
 */
import { AwsError } from '../aws-endpoint/index.ts';
import { forwardHttp, type ForwardTarget } from '../child-process/index.ts';

type Json = Record<string, unknown>;
type Key = Record<string, unknown>;

interface DynaliteAnswer {
  readonly ok: boolean;
  readonly body: Json;
}

/** One JSON call to dynalite. It requires a SigV4-looking header but verifies no signature. */
export async function callDynalite(target: ForwardTarget, operation: string, input: Json): Promise<DynaliteAnswer> {
  const response = await forwardHttp(target, {
    method: 'POST',
    url: '/',
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': `DynamoDB_20120810.${operation}`,
      'x-amz-date': new Date().toISOString().replace(/[-:]|\.\d{3}/g, ''),
      authorization: 'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: Buffer.from(JSON.stringify(input)),
  });
  const text = response.body?.toString() ?? '';
  return { ok: response.status === 200, body: text ? (JSON.parse(text) as Json) : {} };
}

const errorName = (body: Json) =>
  String(body.__type ?? '')
    .split('#')
    .pop() ?? '';

/** Throws dynalite's error answer as the AwsError it names. */
export function rethrow(body: Json): never {
  const type = String(body.__type ?? 'com.amazon.coral.service#InternalFailure');
  throw new AwsError(type, String(body.message ?? body.Message ?? errorName(body)));
}

interface WriteItem {
  readonly kind: 'ConditionCheck' | 'Put' | 'Delete' | 'Update';
  readonly table: string;
  readonly key: Key;
  readonly request: Json;
}

export function createTransactions(target: ForwardTarget) {
  const keySchemas = new Map<string, string[]>();
  let queue: Promise<unknown> = Promise.resolve();

  async function keyNames(table: string): Promise<string[]> {
    const cached = keySchemas.get(table);
    if (cached) return cached;
    const answer = await callDynalite(target, 'DescribeTable', { TableName: table });
    if (!answer.ok) rethrow(answer.body);
    const schema = ((answer.body.Table as Json | undefined)?.KeySchema as { AttributeName: string }[] | undefined) ?? [];
    const names = schema.map((k) => k.AttributeName);
    keySchemas.set(table, names);
    return names;
  }

  async function parseWriteItems(input: Json): Promise<WriteItem[]> {
    const items = Array.isArray(input.TransactItems) ? (input.TransactItems as Json[]) : [];
    if (items.length < 1 || items.length > 100) {
      throw validation(
        `1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length between 1 and 100 (received ${items.length})`,
      );
    }
    const parsed: WriteItem[] = [];
    const seen = new Set<string>();
    for (const [i, item] of items.entries()) {
      if (!isStructure(item)) throw notStructure(i);
      const kinds = (['ConditionCheck', 'Put', 'Delete', 'Update'] as const).filter(
        (kind) => item[kind] !== undefined && item[kind] !== null,
      );
      if (kinds.length !== 1) throw validation('TransactItems can only contain one of Check, Put, Update or Delete');
      const kind = kinds[0]!;
      const request = item[kind];
      if (!isStructure(request))
        throw validation(`Value at 'transactItems.${i + 1}.member.${kind.charAt(0).toLowerCase()}${kind.slice(1)}' must be a structure`);
      const table = String(request.TableName ?? '');
      const names = await keyNames(table);
      const source = (kind === 'Put' ? request.Item : request.Key) as Key | undefined;
      const key: Key = Object.fromEntries(names.map((name) => [name, source?.[name]]));
      if (names.some((name) => key[name] === undefined))
        throw validation(`The provided key element does not match the schema of table ${table}`);
      const identity = `${table}\n${JSON.stringify(key)}`;
      if (seen.has(identity)) throw validation('Transaction request cannot include multiple operations on one item');
      seen.add(identity);
      parsed.push({ kind, table, key, request });
    }
    return parsed;
  }

  /** Applies one item; resolves false when its condition failed. */
  async function apply(item: WriteItem, partitionKey: string): Promise<{ ok: true } | { ok: false; body: Json }> {
    const { kind, request, table, key } = item;
    const common = {
      TableName: table,
      ...(request.ConditionExpression ? { ConditionExpression: request.ConditionExpression } : {}),
      ...(request.ExpressionAttributeNames ? { ExpressionAttributeNames: request.ExpressionAttributeNames } : {}),
      ...(request.ExpressionAttributeValues ? { ExpressionAttributeValues: request.ExpressionAttributeValues } : {}),
    };
    let answer: DynaliteAnswer;
    if (kind === 'Put') answer = await callDynalite(target, 'PutItem', { ...common, Item: request.Item });
    else if (kind === 'Delete') answer = await callDynalite(target, 'DeleteItem', { ...common, Key: key });
    else if (kind === 'Update')
      answer = await callDynalite(target, 'UpdateItem', { ...common, Key: key, UpdateExpression: request.UpdateExpression });
    else answer = await checkCondition(item, partitionKey);
    if (answer.ok) return { ok: true };
    if (errorName(answer.body) === 'ConditionalCheckFailedException') return { ok: false, body: answer.body };
    return rethrow(answer.body);
  }

  /**
   * A condition check must not write. On an existing item: UpdateItem removing an attribute that
   * cannot exist, guarded by the condition AND attribute_exists(pk); on a missing item: DeleteItem
   * (a no-op) guarded by the condition AND attribute_not_exists(pk). One of the two passes iff the
   * condition holds.
   */
  async function checkCondition(item: WriteItem, partitionKey: string): Promise<DynaliteAnswer> {
    const { request, table, key } = item;
    const names = {
      ...(request.ExpressionAttributeNames as Json | undefined),
      '#fleetTxPk': partitionKey,
      '#fleetTxNoop': 'fleet-local-tx-noop',
    };
    const values = request.ExpressionAttributeValues ? { ExpressionAttributeValues: request.ExpressionAttributeValues } : {};
    const condition = String(request.ConditionExpression ?? '');
    const onExisting = await callDynalite(target, 'UpdateItem', {
      TableName: table,
      Key: key,
      UpdateExpression: 'REMOVE #fleetTxNoop',
      ConditionExpression: `(${condition}) AND attribute_exists(#fleetTxPk)`,
      ExpressionAttributeNames: names,
      ...values,
    });
    if (onExisting.ok || errorName(onExisting.body) !== 'ConditionalCheckFailedException') return onExisting;
    const { '#fleetTxNoop': _unused, ...deleteNames } = names;
    return callDynalite(target, 'DeleteItem', {
      TableName: table,
      Key: key,
      ConditionExpression: `(${condition}) AND attribute_not_exists(#fleetTxPk)`,
      ExpressionAttributeNames: deleteNames,
      ...values,
    });
  }

  async function transactWriteItems(input: Json): Promise<Json> {
    const items = await parseWriteItems(input);
    const before: (Json | undefined)[] = [];
    for (const item of items) {
      const answer = await callDynalite(target, 'GetItem', { TableName: item.table, Key: item.key, ConsistentRead: true });
      if (!answer.ok) rethrow(answer.body);
      before.push(answer.body.Item as Json | undefined);
    }
    for (const [index, item] of items.entries()) {
      let result: Awaited<ReturnType<typeof apply>>;
      try {
        result = await apply(item, (await keyNames(item.table))[0]!);
      } catch (err) {
        await restore(items.slice(0, index), before);
        throw err;
      }
      if (result.ok) continue;
      await restore(items.slice(0, index), before);
      const wantsItem = items[index]!.request.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' && before[index];
      const reasons = items.map((_, i) =>
        i === index
          ? { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed', ...(wantsItem ? { Item: before[index] } : {}) }
          : { Code: 'None' },
      );
      throw new TransactionCanceled(reasons);
    }
    return {};
  }

  async function restore(applied: readonly WriteItem[], before: readonly (Json | undefined)[]): Promise<void> {
    for (let i = applied.length - 1; i >= 0; i -= 1) {
      const item = applied[i]!;
      if (item.kind === 'ConditionCheck') continue;
      const image = before[i];
      const answer = image
        ? await callDynalite(target, 'PutItem', { TableName: item.table, Item: image })
        : await callDynalite(target, 'DeleteItem', { TableName: item.table, Key: item.key });
      if (!answer.ok) rethrow(answer.body);
    }
  }

  async function transactGetItems(input: Json): Promise<Json> {
    const items: unknown[] = Array.isArray(input.TransactItems) ? input.TransactItems : [];
    if (items.length < 1 || items.length > 100)
      throw validation(`TransactItems must have between 1 and 100 items (received ${items.length})`);
    const responses: Json[] = [];
    for (const [i, item] of items.entries()) {
      if (!isStructure(item)) throw notStructure(i);
      const get = item['Get'];
      if (!isStructure(get)) throw validation('TransactGetItems items must each contain Get');
      const answer = await callDynalite(target, 'GetItem', { ...get, ConsistentRead: true });
      if (!answer.ok) rethrow(answer.body);
      responses.push(answer.body.Item ? { Item: answer.body.Item } : {});
    }
    return { Responses: responses };
  }

  /** Runs one transaction at a time. */
  function serialised<T>(run: () => Promise<T>): Promise<T> {
    const result = queue.then(run, run);
    queue = result.catch(() => undefined);
    return result;
  }

  return {
    transactWriteItems: (input: Json) => serialised(() => transactWriteItems(input)),
    transactGetItems: (input: Json) => serialised(() => transactGetItems(input)),
    /** Forget cached key schemas (after DeleteTable / CreateTable). */
    forgetTable: (table: string) => keySchemas.delete(table),
  };
}

/** TransactionCanceledException carries one reason per item in its body (`CancellationReasons`). */
export class TransactionCanceled extends AwsError {
  constructor(readonly cancellationReasons: readonly Json[]) {
    super(
      'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
      `Transaction cancelled, please refer cancellation reasons for specific reasons [${cancellationReasons.map((r) => String(r.Code)).join(', ')}]`,
    );
  }
}

const validation = (message: string) => new AwsError('com.amazon.coral.validate#ValidationException', message);
/** A JSON object: what every member of `TransactItems`, and each one's request, must be. */
const isStructure = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
/** DynamoDB's words for a null member; a member of another type is answered the same way here. */
const notStructure = (index: number) =>
  validation(
    `1 validation error detected: Value null at 'transactItems.${index + 1}.member' failed to satisfy constraint: Member must not be null`,
  );
