/**
 * Compile-time checks AWS makes in CreateTopicRule beyond the grammar: unknown functions, wrong
 * argument counts, functions newer than the rule's SQL version, and variables used before SET assigns them.
 */
import type { Expr, Query } from './ast.ts';
import { functionEntry } from './functions.ts';
import { IotSqlError } from './iot-sql-error.ts';
import { defaultSqlVersion, hasSqlV2, type SqlVersion } from './sql-version.ts';

export interface ValidateOptions {
  readonly version?: SqlVersion;
  /**
   * Variables an expression may use; undefined when any may (a substitution template: the rule's SET
   * clause is not known where the template is compiled, and an unknown variable is Undefined).
   */
  readonly variables?: ReadonlySet<string>;
}

/** Checks a whole statement: the SET clause in order (each assignment sees the earlier ones), then SELECT, FROM and WHERE. */
export function validateQuery(query: Query, source: string, options: ValidateOptions = {}): void {
  const assigned = new Set(options.variables ?? []);
  const withVariables = { ...options, variables: assigned };
  for (const assignment of query.set ?? []) {
    validateExpr(assignment.expr, source, withVariables);
    assigned.add(assignment.name);
  }
  for (const item of query.items) if (item.type === 'expr') validateExpr(item.expr, source, withVariables);
  if (query.from.type === 'expr') validateExpr(query.from.expr, source, withVariables);
  if (query.where !== undefined) validateExpr(query.where, source, withVariables);
}

export function validateExpr(expr: Expr, source: string, options: ValidateOptions = {}): void {
  const check = (e: Expr) => validateExpr(e, source, options);
  switch (expr.type) {
    case 'call': {
      const entry = functionEntry(expr.name);
      // The name as written (`isUndefined`), not the lower-cased lookup key.
      const written = source.slice(expr.pos, expr.pos + expr.name.length);
      const name = written.toLowerCase() === expr.name ? written : expr.name;
      const version = options.version ?? defaultSqlVersion;
      if (entry === undefined || (entry.since !== undefined && !hasSqlV2(version))) {
        const why = entry === undefined ? '' : ` in SQL version ${version} (it needs ${entry.since} or later)`;
        throw new IotSqlError(`Undefined function: ${name}${why}`, expr.pos, source);
      }
      if (expr.args.length < entry.min || expr.args.length > entry.max) {
        const expected =
          entry.min === entry.max ? `${entry.min}` : entry.max === Infinity ? `at least ${entry.min}` : `${entry.min} to ${entry.max}`;
        throw new IotSqlError(
          `Wrong number of arguments for function ${name}: expected ${expected}, found ${expr.args.length}`,
          expr.pos,
          source,
        );
      }
      expr.args.forEach(check);
      return;
    }
    case 'variable':
      if (options.variables !== undefined && !options.variables.has(expr.name)) {
        throw new IotSqlError(`Undefined variable: @${expr.name} (assign it in the SET clause before using it)`, expr.pos, source);
      }
      return;
    case 'member':
      return check(expr.object);
    case 'index':
      check(expr.object);
      return check(expr.index);
    case 'array':
      return expr.items.forEach(check);
    case 'object':
      return expr.entries.forEach(([, e]) => check(e));
    case 'unary':
    case 'is':
    case 'cast':
      return check(expr.operand);
    case 'binary':
      check(expr.left);
      return check(expr.right);
    case 'case':
      if (expr.subject !== undefined) check(expr.subject);
      for (const w of expr.whens) {
        check(w.when);
        check(w.then);
      }
      if (expr.otherwise !== undefined) check(expr.otherwise);
      return;
    case 'subquery':
      return validateQuery(expr.query, source, options);
    case 'literal':
    case 'field':
    case 'wildcard':
      return;
  }
}
