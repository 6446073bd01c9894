/**
 * Substitution templates in rule action fields: `${expression}` inside a string
 * (https://docs.aws.amazon.com/iot/latest/developerguide/iot-substitution-templates.html).
 *
 * AWS evaluates each expression separately from the SELECT: it sees the original payload, functions and
 * operators, never the SELECT's aliases. So does this. It does see the SET clause's variables (`${@name}`,
 * https://docs.aws.amazon.com/iot/latest/developerguide/iot-sql-set.html), given as `options.variables`.
 */
import type { Expr } from './ast.ts';
import { createEvalContext, parsePayload } from './context.ts';
import { evaluate } from './evaluate.ts';
import { IotSqlError } from './iot-sql-error.ts';
import type { EvaluateOptions, IotMessage } from './message.ts';
import { parseExpression } from './parser.ts';
import type { SqlVersion } from './sql-version.ts';
import { validateExpr } from './validate.ts';
import { toSqlString } from './values.ts';

export interface CompiledTemplate {
  readonly template: string;
  /** True when the template has no `${...}` (a constant). */
  readonly isConstant: boolean;
  render(message: IotMessage, options?: EvaluateOptions): string;
}

type Part = { readonly text: string } | { readonly expr: Expr };

/** Finds the `}` closing a template expression that starts at `from`, skipping quoted strings and nested braces. */
function closingBrace(template: string, from: number): number {
  let depth = 0;
  for (let i = from; i < template.length; i++) {
    const c = template[i]!;
    if (c === '"' || c === "'") {
      const end = template.indexOf(c, i + 1);
      if (end < 0) return -1;
      i = end;
    } else if (c === '{') depth++;
    else if (c === '}') {
      if (depth === 0) return i;
      depth--;
    }
  }
  return -1;
}

/**
 * Parses the `${...}` expressions of `template` once.
 * @throws IotSqlError when an expression does not parse or a `${` is not closed.
 */
export function compileTemplate(template: string): CompiledTemplate {
  return compileTemplateFor(template, {});
}

/**
 * `compileTemplate` for a rule of another `awsIotSqlVersion` (2015-10-08 templates have no literals,
 * and `sql_version()` answers the rule's version).
 */
export function compileTemplateFor(template: string, templateOptions: { readonly awsIotSqlVersion?: SqlVersion }): CompiledTemplate {
  const version = templateOptions.awsIotSqlVersion;
  const parts: Part[] = [];
  let i = 0;
  while (i < template.length) {
    const start = template.indexOf('${', i);
    if (start < 0) {
      parts.push({ text: template.slice(i) });
      break;
    }
    if (start > i) parts.push({ text: template.slice(i, start) });
    const end = closingBrace(template, start + 2);
    if (end < 0) throw new IotSqlError('unclosed "${" in substitution template', start, template);
    const source = template.slice(start + 2, end);
    let expr: Expr;
    try {
      expr = parseExpression(source, version);
      validateExpr(expr, source, version === undefined ? {} : { version });
    } catch (err) {
      if (err instanceof IotSqlError) throw new IotSqlError(err.reason, start + 2 + err.position, template);
      throw err;
    }
    parts.push({ expr });
    i = end + 1;
  }
  const isConstant = parts.every((p) => 'text' in p);
  return {
    template,
    isConstant,
    render(message, options) {
      if (isConstant) return template;
      const parsed = parsePayload(message.payload);
      const ctx = createEvalContext(message, options, parsed, version);
      // [AWS Data types] "Undefined is converted to an empty string when serialized by itself."
      return parts.map((p) => ('text' in p ? p.text : (toSqlString(evaluate(p.expr, parsed.document, ctx)) ?? ''))).join('');
    },
  };
}

/** One-shot `compileTemplate(template).render(message, options)`. */
export function substituteTemplate(template: string, message: IotMessage, options?: EvaluateOptions): string {
  return compileTemplate(template).render(message, options);
}
