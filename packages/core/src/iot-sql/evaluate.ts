/**
 * Evaluates expressions and queries with AWS IoT SQL 2016-03-23 semantics
 * (https://docs.aws.amazon.com/iot/latest/developerguide/iot-sql-operators.html): operands are converted
 * by the standard conversions, and anything that cannot be is Undefined, which a WHERE clause treats as
 * not true and a SELECT drops from its output.
 */
import type { BinaryOp, Expr, Query } from './ast.ts';
import type { EvalContext } from './eval-context.ts';
import { callFunction, castValue } from './functions.ts';
import { IotSqlEvaluationError } from './iot-sql-error.ts';
import { hasSqlV2 } from './sql-version.ts';
import { isArray, isObject, sqlEquals, toBoolean, toDecimal, toSqlString, type SqlValue } from './values.ts';

/** Evaluates `expr` against `scope`, the document that bare names refer to. */
export function evaluate(expr: Expr, scope: SqlValue, ctx: EvalContext): SqlValue {
  switch (expr.type) {
    case 'literal':
      return expr.value;
    case 'field':
      return isObject(scope) && Object.hasOwn(scope, expr.name) ? scope[expr.name] : undefined;
    case 'member': {
      const obj = evaluate(expr.object, scope, ctx);
      return isObject(obj) && Object.hasOwn(obj, expr.name) ? obj[expr.name] : undefined;
    }
    case 'index': {
      const obj = evaluate(expr.object, scope, ctx);
      const index = evaluate(expr.index, scope, ctx);
      if (isArray(obj) && typeof index === 'number' && Number.isInteger(index)) return index >= 0 ? obj[index] : undefined;
      if (isObject(obj) && typeof index === 'string') return Object.hasOwn(obj, index) ? obj[index] : undefined;
      return undefined;
    }
    case 'variable':
      return ctx.variables.get(expr.name);
    case 'wildcard':
      return scope;
    case 'array':
      // An Undefined element cannot be represented in JSON; AWS drops it.
      return expr.items.map((item) => evaluate(item, scope, ctx)).filter((v) => v !== undefined);
    case 'object': {
      const out: Record<string, SqlValue> = {};
      for (const [key, valueExpr] of expr.entries) {
        const v = evaluate(valueExpr, scope, ctx);
        if (v !== undefined) out[key] = v;
      }
      return out;
    }
    case 'unary': {
      const v = evaluate(expr.operand, scope, ctx);
      if (expr.op === 'NOT') {
        const b = toBoolean(v);
        return b === undefined ? undefined : !b;
      }
      const d = toDecimal(v);
      return d === undefined ? undefined : -d;
    }
    case 'binary':
      return binary(expr.op, evaluate(expr.left, scope, ctx), evaluate(expr.right, scope, ctx));
    case 'is': {
      const v = evaluate(expr.operand, scope, ctx);
      const hit = expr.what === 'NULL' ? v === null : v === undefined;
      return expr.negated ? !hit : hit;
    }
    case 'call': {
      if (expr.name === 'get_or_default') return getOrDefault(expr.args, scope, ctx);
      // [AWS encode] "You can specify * to encode the entire payload, regardless of whether it's in JSON format."
      if (expr.name === 'encode' && expr.args[0]?.type === 'wildcard' && scope === ctx.document) {
        return callFunction('encode', [ctx.payload, ...expr.args.slice(1).map((a) => evaluate(a, scope, ctx))], ctx);
      }
      return callFunction(
        expr.name,
        expr.args.map((a) => evaluate(a, scope, ctx)),
        ctx,
      );
    }
    case 'cast':
      return castValue(evaluate(expr.operand, scope, ctx), expr.to, ctx.version);
    case 'case': {
      if (expr.subject === undefined) {
        // Searched CASE: the first WHEN whose condition is true.
        for (const { when, then } of expr.whens) if (toBoolean(evaluate(when, scope, ctx)) === true) return evaluate(then, scope, ctx);
        return expr.otherwise === undefined ? undefined : evaluate(expr.otherwise, scope, ctx);
      }
      const subject = evaluate(expr.subject, scope, ctx);
      // [AWS Case statements] "If v is Undefined, the result of the case statement is Undefined."
      if (subject === undefined) return undefined;
      for (const { when, then } of expr.whens) {
        if (sqlEquals(subject, evaluate(when, scope, ctx))) return evaluate(then, scope, ctx);
      }
      return expr.otherwise === undefined ? undefined : evaluate(expr.otherwise, scope, ctx);
    }
    case 'subquery':
      return evaluateNestedQuery(expr.query, scope, ctx);
  }
}

/**
 * Operands of `-`, `*`, `/`, `%` and the comparisons: "If all strings convert to decimals correctly"
 * the operation is done on Decimals; any other operand makes the result Undefined.
 */
function numeric(a: SqlValue, b: SqlValue): [number, number] | undefined {
  if (!isNumericOperand(a) || !isNumericOperand(b)) return undefined;
  const x = toDecimal(a);
  const y = toDecimal(b);
  return x === undefined || y === undefined ? undefined : [x, y];
}

const isNumericOperand = (v: SqlValue): v is number | string => typeof v === 'number' || typeof v === 'string';

/** Int op Int is an Int (the tables' first row); as soon as a String or a Decimal takes part, a Decimal. */
const bothInts = (a: SqlValue, b: SqlValue) => typeof a === 'number' && typeof b === 'number' && Number.isInteger(a) && Number.isInteger(b);

/** Each case follows the operator's table in https://docs.aws.amazon.com/iot/latest/developerguide/iot-sql-operators.html. */
function binary(op: BinaryOp, a: SqlValue, b: SqlValue): SqlValue {
  switch (op) {
    case 'AND':
    case 'OR': {
      // "If all strings are "true" or "false" (case insensitive), they are converted to Boolean"; other values: Undefined.
      const x = toBoolean(a);
      const y = toBoolean(b);
      if (x === undefined || y === undefined) return undefined;
      return op === 'AND' ? x && y : x || y;
    }
    case '=':
    case '<>':
      // "Any Value | Undefined | Undefined"; "Mismatched Type | Mismatched Type | False" (= ) / "True" (<>).
      if (a === undefined || b === undefined) return undefined;
      return op === '=' ? sqlEquals(a, b) : !sqlEquals(a, b);
    case '<':
    case '<=':
    case '>':
    case '>=': {
      // "Both operands are converted to a Decimal, and then compared."
      const n = numeric(a, b);
      if (n === undefined) return undefined;
      const [x, y] = n;
      return op === '<' ? x < y : op === '<=' ? x <= y : op === '>' ? x > y : x >= y;
    }
    case '+': {
      // "String | Any Value: Converts the right operand to a string and concatenates it", and the mirror row.
      if (typeof a === 'string' || typeof b === 'string') {
        const x = toSqlString(a);
        const y = toSqlString(b);
        return x === undefined || y === undefined ? undefined : x + y;
      }
      if (typeof a !== 'number' || typeof b !== 'number') return undefined;
      return finite(a + b);
    }
    case '-':
    case '*': {
      const n = numeric(a, b);
      if (n === undefined) return undefined;
      return finite(op === '-' ? n[0] - n[1] : n[0] * n[1]);
    }
    case '/': {
      const n = numeric(a, b);
      if (n === undefined || n[1] === 0) return undefined;
      // "Int | Int | Int value": integer division (Java's, truncating), as (temperature - 32) * 5 / 9 = 10 shows.
      return bothInts(a, b) ? Math.trunc(n[0] / n[1]) : finite(n[0] / n[1]);
    }
    case '%': {
      const n = numeric(a, b);
      // The sign follows the dividend, as Java's % and BigDecimal.remainder do (and JavaScript's).
      return n === undefined || n[1] === 0 ? undefined : finite(n[0] % n[1]);
    }
    case 'IN':
      // "Returns true if the left operand is found in the right operand (an Array)."
      if (a === undefined || !isArray(b)) return undefined;
      return b.some((item) => sqlEquals(a, item));
    case 'CONTAINS':
      // "Returns true if the left operand (an Array, or a String) contains the right operand."
      if (b === undefined) return undefined;
      if (isArray(a)) return a.some((item) => sqlEquals(item, b));
      if (typeof a === 'string') {
        const needle = toSqlString(b);
        return needle === undefined ? undefined : a.includes(needle);
      }
      return undefined;
  }
}

const finite = (n: number): number | undefined => (Number.isFinite(n) ? n : undefined);

/**
 * `get_or_default(expression, default)`: the default when the expression is Undefined or Null, or when
 * evaluating it fails (a function that needs an unavailable service); its argument is evaluated lazily.
 */
function getOrDefault(args: readonly Expr[], scope: SqlValue, ctx: EvalContext): SqlValue {
  const [expression, fallback] = args;
  if (expression === undefined) return undefined;
  let v: SqlValue;
  try {
    v = evaluate(expression, scope, ctx);
  } catch (err) {
    if (!(err instanceof IotSqlEvaluationError)) throw err;
    v = undefined;
  }
  if (v !== undefined && v !== null) return v;
  return fallback === undefined ? undefined : evaluate(fallback, scope, ctx);
}

/** Runs the SET clause: each variable in order, so that an assignment can use the earlier ones. */
export function assignVariables(query: Query, scope: SqlValue, ctx: EvalContext): void {
  for (const { name, expr } of query.set ?? []) ctx.variables.set(name, evaluate(expr, scope, ctx));
}

/** True only when the WHERE clause (if any) evaluates to the Boolean true. */
export function whereHolds(query: Query, scope: SqlValue, ctx: EvalContext): boolean {
  return query.where === undefined || evaluate(query.where, scope, ctx) === true;
}

/** Builds the SELECT output for one document. */
export function project(query: Query, scope: SqlValue, ctx: EvalContext): SqlValue {
  const first = query.items[0];
  if (query.value && first?.type === 'expr') {
    const v = evaluate(first.expr, scope, ctx);
    // [AWS SQL versions] 2016-03-23 added "Support to output an array as a top-level object": 2015-10-08 outputs nothing.
    return isArray(v) && !hasSqlV2(ctx.version) && scope === ctx.document ? undefined : v;
  }
  // `SELECT *` of a payload that is not a JSON object is the payload itself (raw bytes when not JSON).
  if (query.items.length === 1 && first?.type === 'all' && !isObject(scope)) return scope;
  const out: Record<string, SqlValue> = {};
  query.items.forEach((item, i) => {
    if (item.type === 'all') {
      if (isObject(scope)) Object.assign(out, scope);
      return;
    }
    const v = evaluate(item.expr, scope, ctx);
    // [AWS Data types] Undefined "isn't representable in JSON ... the results are Undefined": the key is omitted.
    if (v === undefined) return;
    setPath(out, item.alias ?? [defaultKey(item.expr, i)], v);
  });
  return out;
}

function setPath(target: Record<string, SqlValue>, path: readonly string[], value: SqlValue): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    // Copy rather than write into an object that may belong to the (shared) payload document.
    const copy: Record<string, SqlValue> = isObject(next) ? { ...next } : {};
    node[key] = copy;
    node = copy;
  }
  node[path.at(-1)!] = value;
}

/** Output key of an item without AS: the referenced property's name, the function's name, or a position. */
function defaultKey(expr: Expr, index: number): string {
  if (expr.type === 'field' || expr.type === 'member' || expr.type === 'variable') return expr.name;
  if (expr.type === 'call') return expr.name;
  return `_${index + 1}`;
}

/**
 * A nested `(SELECT ... FROM expr WHERE ...)`: over an array, one result per element that passes
 * the WHERE clause; over an object, one result
 * (https://docs.aws.amazon.com/iot/latest/developerguide/iot-sql-nested-queries.html).
 */
function evaluateNestedQuery(query: Query, scope: SqlValue, ctx: EvalContext): SqlValue {
  if (query.from.type !== 'expr') return undefined;
  const source = evaluate(query.from.expr, scope, ctx);
  if (isArray(source)) {
    return source
      .filter((el) => whereHolds(query, el, ctx))
      .map((el) => project(query, el, ctx))
      .filter((v) => v !== undefined);
  }
  if (isObject(source)) return whereHolds(query, source, ctx) ? project(query, source, ctx) : undefined;
  return undefined;
}
