import type { Expr, Query } from './ast.ts';
import { isKnownFunction } from './functions.ts';
import { IotSqlError } from './iot-sql-error.ts';

/** Rejects calls to functions this evaluator does not implement, at compile time rather than per message. */
export function validateQuery(query: Query, source: string): void {
  for (const item of query.items) if (item.type === 'expr') validateExpr(item.expr, source);
  if (query.from.type === 'expr') validateExpr(query.from.expr, source);
  if (query.where !== undefined) validateExpr(query.where, source);
}

export function validateExpr(expr: Expr, source: string): void {
  switch (expr.type) {
    case 'call':
      if (!isKnownFunction(expr.name)) throw new IotSqlError(`unsupported function ${expr.name}()`, expr.pos, source);
      expr.args.forEach((a) => validateExpr(a, source));
      return;
    case 'member':
      return validateExpr(expr.object, source);
    case 'index':
      validateExpr(expr.object, source);
      return validateExpr(expr.index, source);
    case 'array':
      return expr.items.forEach((e) => validateExpr(e, source));
    case 'object':
      return expr.entries.forEach(([, e]) => validateExpr(e, source));
    case 'unary':
    case 'is':
    case 'cast':
      return validateExpr(expr.operand, source);
    case 'binary':
      validateExpr(expr.left, source);
      return validateExpr(expr.right, source);
    case 'case':
      validateExpr(expr.subject, source);
      for (const w of expr.whens) {
        validateExpr(w.when, source);
        validateExpr(w.then, source);
      }
      if (expr.otherwise !== undefined) validateExpr(expr.otherwise, source);
      return;
    case 'subquery':
      return validateQuery(expr.query, source);
    case 'literal':
    case 'field':
    case 'wildcard':
      return;
  }
}
