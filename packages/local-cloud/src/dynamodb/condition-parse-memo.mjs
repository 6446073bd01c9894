// Remembers the condition expressions dynalite parsed (issue 9): its PEG parser (db/conditionParser.js)
// backtracks through every precedence level and re-parses each operand at each, so even
// `attribute_not_exists(#s)` took ≈ 72 µs a request, and the latest store's
// `attribute_not_exists(#ts) OR #ts < :ts OR (#ts = :ts AND #seq < :seq)` ≈ 170 µs, against ≈ 15 µs
// for a short UpdateExpression. The Data Service sends both with every flush, per device.
//
// What a parse depends on: the expression; what its `#name` tokens resolve to; and, of its `:value`
// tokens, only their types (`begins_with` and `size` check them), except in BETWEEN (which compares
// its bounds) and `attribute_type` (which reads its argument), where the values themselves count.
// The tree holds the request's value objects themselves; its only side effect is to strike the
// tokens it used from the request's unused names and values (which dynalite then reports). So a
// remembered tree is reused only for the same expression, names and value types (or values), with
// this request's value objects put in place of the remembered ones, and the reuse strikes the same
// tokens. Only successful parses are kept (an error is a string, or a thrown SyntaxError), never key
// conditions (Query converts their tree further), and a tree is only read afterwards (db/index.js
// `matchesExprFilter`).
import { createRequire } from 'node:module';

const fromDynalite = createRequire(createRequire(import.meta.url).resolve('dynalite'));
const conditionParser = fromDynalite('./db/conditionParser');

/** Expressions kept at most; past it the memo starts again (a fleet sends a handful of shapes). */
const maxEntries = 1000;

/** The `#name` or `:value` tokens of an expression, as dynalite's validation accepts their keys. */
const tokensOf = (expression, pattern) => [...new Set(expression.match(pattern) ?? [])];

/** Whether the parse reads the values themselves, not only their types. */
const readsValues = (expression) => /\bbetween\b|\battribute_type\b/i.test(expression);

/** What of a value the parse depends on: its type (`{"N":"5"}` → `N`), or the whole value. */
const valueKey = (value, whole) =>
  whole ? JSON.stringify(value) : value && typeof value === 'object' ? Object.keys(value).join() : String(value);

/** A copy of the tree with each remembered value object replaced by this request's (`swap`). */
function rebind(node, swap) {
  if (swap.has(node)) return swap.get(node);
  if (node && typeof node === 'object' && typeof node.type === 'string' && Array.isArray(node.args)) {
    return { ...node, args: node.args.map((arg) => rebind(arg, swap)) };
  }
  return node;
}

export function memoizeConditionParser(parser = conditionParser) {
  if (parser.parse.memoized) return;
  const parse = parser.parse;
  /** @type {Map<string, { names: [string, unknown][], values: [string, string, object][], result: { expression: object } }>} */
  const memo = new Map();
  const memoized = function parseRemembered(expression, options) {
    const context = options?.context;
    if (!context || context.isKeyCondition) return parse.call(this, expression, options);
    const names = context.attrNames ?? {};
    const values = context.attrVals ?? {};
    const whole = readsValues(expression);
    const kept = memo.get(expression);
    if (
      kept &&
      kept.names.every(([token, name]) => names[token] === name) &&
      kept.values.every(([token, key]) => values[token] !== undefined && valueKey(values[token], whole) === key)
    ) {
      for (const [token] of kept.names) delete context.unusedAttrNames?.[token];
      for (const [token] of kept.values) delete context.unusedAttrVals?.[token];
      if (kept.values.length === 0) return kept.result;
      const swap = new Map(kept.values.map(([token, , remembered]) => [remembered, values[token]]));
      return { ...kept.result, expression: rebind(kept.result.expression, swap) };
    }
    const result = parse.call(this, expression, options);
    if (typeof result === 'object' && result !== null) {
      if (memo.size >= maxEntries) memo.clear();
      memo.set(expression, {
        names: tokensOf(expression, /#[0-9a-zA-Z_]+/g).map((token) => [token, names[token]]),
        values: tokensOf(expression, /:[0-9a-zA-Z_]+/g).map((token) => [token, valueKey(values[token], whole), values[token]]),
        result,
      });
    }
    return result;
  };
  memoized.memoized = true;
  parser.parse = memoized;
}

memoizeConditionParser();
