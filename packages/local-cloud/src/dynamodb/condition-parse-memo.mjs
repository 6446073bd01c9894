// Remembers the condition expressions dynalite parsed (issue 9): its PEG parser (db/conditionParser.js)
// backtracks through every precedence level and re-parses a function call at each, so even
// `attribute_not_exists(#s)` took ≈ 72 µs a request, against ≈ 15 µs for a short UpdateExpression.
// The Data Service sends that condition with every telemetry write (services/data/src/window-chain.ts).
//
// A parse depends on the expression and on what its `#name` and `:value` tokens resolve to; its only
// side effect is to strike those tokens from the request's unused names and values (which dynalite
// then reports). So a result is reused only for the same expression whose tokens resolve to the same
// names and values, and the reuse strikes the same tokens. Only successful parses are kept (an error
// is a string, or a thrown SyntaxError), never key conditions (Query converts their tree further),
// and the parse tree is only read afterwards (db/index.js `matchesExprFilter`).
import { createRequire } from 'node:module';

const fromDynalite = createRequire(createRequire(import.meta.url).resolve('dynalite'));
const conditionParser = fromDynalite('./db/conditionParser');

/** Expressions kept at most; past it the memo starts again (a fleet sends a handful of shapes). */
const maxEntries = 1000;

/** The `#name` and `:value` tokens of an expression, as dynalite's validation accepts their keys. */
const tokensOf = (expression, sigil) => [...new Set(expression.match(sigil === '#' ? /#[0-9a-zA-Z_]+/g : /:[0-9a-zA-Z_]+/g) ?? [])];

export function memoizeConditionParser(parser = conditionParser) {
  if (parser.parse.memoized) return;
  const parse = parser.parse;
  /** @type {Map<string, { names: [string, unknown][], values: [string, string][], result: unknown }>} */
  const memo = new Map();
  const memoized = function parseRemembered(expression, options) {
    const context = options?.context;
    if (!context || context.isKeyCondition) return parse.call(this, expression, options);
    const names = context.attrNames ?? {};
    const values = context.attrVals ?? {};
    const kept = memo.get(expression);
    if (
      kept &&
      kept.names.every(([token, name]) => names[token] === name) &&
      kept.values.every(([token, json]) => JSON.stringify(values[token]) === json)
    ) {
      for (const [token] of kept.names) delete context.unusedAttrNames?.[token];
      for (const [token] of kept.values) delete context.unusedAttrVals?.[token];
      return kept.result;
    }
    const result = parse.call(this, expression, options);
    if (typeof result === 'object' && result !== null) {
      if (memo.size >= maxEntries) memo.clear();
      memo.set(expression, {
        names: tokensOf(expression, '#').map((token) => [token, names[token]]),
        values: tokensOf(expression, ':').map((token) => [token, JSON.stringify(values[token])]),
        result,
      });
    }
    return result;
  };
  memoized.memoized = true;
  parser.parse = memoized;
}

memoizeConditionParser();
