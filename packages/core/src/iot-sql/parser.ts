/**
 * Recursive-descent parser for AWS IoT SQL 2016-03-23
 * (https://docs.aws.amazon.com/iot/latest/developerguide/iot-sql-reference.html).
 *
 * Precedence, lowest first: OR, AND, NOT, comparison (= <> != < <= > >= IS IN CONTAINS),
 * additive (+ - ||), multiplicative (* / %), unary minus, postfix (.name, [index]), primary.
 */
import type { BinaryOp, Expr, Query, SelectItem, VariableAssignment } from './ast.ts';
import { IotSqlError } from './iot-sql-error.ts';
import { tokenize, type Token } from './lexer.ts';
import { defaultSqlVersion, hasSqlV2, type SqlVersion } from './sql-version.ts';

const reserved = new Set([
  'SELECT',
  'FROM',
  'WHERE',
  'AS',
  'AND',
  'OR',
  'NOT',
  'CASE',
  'WHEN',
  'THEN',
  'ELSE',
  'END',
  'IS',
  'NULL',
  'TRUE',
  'FALSE',
  'IN',
  'CONTAINS',
]);

/** [AWS SET clause] "Variable names can be up to 64 characters long". */
const maxVariableNameLength = 64;

/** Parses a whole statement: `[SET @v = expr, ...] SELECT ... FROM 'filter' [WHERE ...]`. */
export function parseQuery(sql: string, version: SqlVersion = defaultSqlVersion): Query {
  const p = new Parser(sql, version);
  const set = p.setClause();
  const query = p.query(true);
  p.expectEnd();
  return set === undefined ? query : { set, ...query };
}

/** Parses a lone expression (the inside of a `${...}` substitution template). */
export function parseExpression(source: string, version: SqlVersion = defaultSqlVersion): Expr {
  const p = new Parser(source, version);
  const expr = p.expression();
  p.expectEnd();
  return expr;
}

class Parser {
  private readonly tokens: Token[];
  private i = 0;

  constructor(
    private readonly source: string,
    private readonly version: SqlVersion,
  ) {
    this.tokens = tokenize(source);
  }

  private get tok(): Token {
    return this.tokens[this.i]!;
  }

  private peek(offset = 1): Token {
    return this.tokens[Math.min(this.i + offset, this.tokens.length - 1)]!;
  }

  /** Fails the way ANTLR (AWS's parser) reports it: `mismatched input 'FRM' expecting FROM`. */
  private fail(expecting: string, at: Token = this.tok): never {
    throw new IotSqlError(`mismatched input '${this.display(at)}' expecting ${expecting}`, at.pos, this.source);
  }

  /** A token as written in the source (strings with their quotes), `<EOF>` at the end. */
  private display(t: Token): string {
    if (t.kind === 'eof') return '<EOF>';
    const next = this.tokens[this.tokens.indexOf(t) + 1];
    return this.source.slice(t.pos, next?.pos ?? this.source.length).trimEnd();
  }

  /** A feature that SQL version 2015-10-08 does not have. */
  private requireV2(feature: string, at: Token): void {
    if (!hasSqlV2(this.version)) {
      throw new IotSqlError(`${feature} require SQL version 2016-03-23 or later (this rule uses ${this.version})`, at.pos, this.source);
    }
  }

  private isKeyword(word: string, t: Token = this.tok): boolean {
    return t.kind === 'ident' && t.text.toUpperCase() === word;
  }

  private acceptKeyword(word: string): boolean {
    if (!this.isKeyword(word)) return false;
    this.i++;
    return true;
  }

  private expectKeyword(word: string): void {
    if (!this.acceptKeyword(word)) this.fail(word);
  }

  private isOp(op: string, t: Token = this.tok): boolean {
    return t.kind === 'op' && t.text === op;
  }

  private acceptOp(op: string): boolean {
    if (!this.isOp(op)) return false;
    this.i++;
    return true;
  }

  private expectOp(op: string): void {
    if (!this.acceptOp(op)) this.fail(`'${op}'`);
  }

  expectEnd(): void {
    if (this.tok.kind !== 'eof') this.fail('<EOF>');
  }

  /**
   * `SET @a = expr [, @b = expr]` before SELECT
   * (https://docs.aws.amazon.com/iot/latest/developerguide/iot-sql-set.html): each variable is assigned once.
   */
  setClause(): VariableAssignment[] | undefined {
    if (!this.acceptKeyword('SET')) return undefined;
    const assignments: VariableAssignment[] = [];
    do {
      const t = this.tok;
      if (t.kind !== 'variable') this.fail('a variable (@name)');
      if (t.text.length > maxVariableNameLength) {
        throw new IotSqlError(`variable name @${t.text} is longer than ${maxVariableNameLength} characters`, t.pos, this.source);
      }
      if (assignments.some((a) => a.name === t.text)) {
        throw new IotSqlError(`variable @${t.text} is already assigned: variables are immutable`, t.pos, this.source);
      }
      this.i++;
      this.expectOp('=');
      assignments.push({ name: t.text, expr: this.expression(), pos: t.pos });
    } while (this.acceptOp(','));
    return assignments;
  }

  query(topLevel: boolean): Query {
    this.expectKeyword('SELECT');
    // VALUE is a keyword only where it can be one: `SELECT value FROM ...` selects a field named value.
    let value = false;
    if (
      this.isKeyword('VALUE') &&
      !this.isOp(',', this.peek()) &&
      !this.isKeyword('FROM', this.peek()) &&
      !this.isKeyword('AS', this.peek())
    ) {
      this.i++;
      value = true;
    }
    const items: SelectItem[] = [this.selectItem()];
    while (this.acceptOp(',')) items.push(this.selectItem());
    if (value && (items.length !== 1 || items[0]!.type !== 'expr' || items[0]!.alias !== undefined)) {
      throw new IotSqlError('SELECT VALUE takes exactly one expression without an alias', this.tok.pos, this.source);
    }
    let from: Query['from'];
    if (topLevel && (this.tok.kind === 'eof' || this.isKeyword('WHERE'))) {
      // [AWS SQL reference] FROM is "Optional for rules that are only activated using the Basic Ingest feature".
      from = { type: 'none' };
    } else if (topLevel) {
      this.expectKeyword('FROM');
      if (this.tok.kind !== 'string') this.fail('a topic filter');
      from = { type: 'topic', filter: this.tok.text };
      this.i++;
    } else {
      this.expectKeyword('FROM');
      from = { type: 'expr', expr: this.postfix() };
    }
    const where = this.acceptKeyword('WHERE') ? this.expression() : undefined;
    return where === undefined ? { value, items, from } : { value, items, from, where };
  }

  private selectItem(): SelectItem {
    // `*` alone (followed by `,` or FROM) is the payload merge; `*` inside an expression is not.
    if (this.isOp('*') && (this.isOp(',', this.peek()) || this.isKeyword('FROM', this.peek()))) {
      this.i++;
      return { type: 'all' };
    }
    const expr = this.expression();
    if (!this.acceptKeyword('AS')) return { type: 'expr', expr };
    const alias: string[] = [this.aliasPart()];
    while (this.acceptOp('.')) alias.push(this.aliasPart());
    return { type: 'expr', expr, alias };
  }

  private aliasPart(): string {
    const t = this.tok;
    if (t.kind !== 'ident' && t.kind !== 'string') this.fail('an alias');
    this.i++;
    return t.text;
  }

  expression(): Expr {
    return this.or();
  }

  private or(): Expr {
    let left = this.and();
    while (this.acceptKeyword('OR')) left = { type: 'binary', op: 'OR', left, right: this.and() };
    return left;
  }

  private and(): Expr {
    let left = this.not();
    while (this.acceptKeyword('AND')) left = { type: 'binary', op: 'AND', left, right: this.not() };
    return left;
  }

  private not(): Expr {
    if (this.acceptKeyword('NOT')) return { type: 'unary', op: 'NOT', operand: this.not() };
    return this.comparison();
  }

  private comparison(): Expr {
    let left = this.additive();
    for (;;) {
      const t = this.tok;
      if (t.kind === 'op' && ['=', '<>', '!=', '<', '<=', '>', '>='].includes(t.text)) {
        this.i++;
        const op = (t.text === '!=' ? '<>' : t.text) as BinaryOp;
        left = { type: 'binary', op, left, right: this.additive() };
      } else if (this.acceptKeyword('IS')) {
        const negated = this.acceptKeyword('NOT');
        if (this.acceptKeyword('NULL')) left = { type: 'is', operand: left, negated, what: 'NULL' };
        else if (this.acceptKeyword('UNDEFINED')) left = { type: 'is', operand: left, negated, what: 'UNDEFINED' };
        else this.fail('{NULL, UNDEFINED}');
      } else if (this.acceptKeyword('IN')) {
        left = { type: 'binary', op: 'IN', left, right: this.additive() };
      } else if (this.acceptKeyword('CONTAINS')) {
        left = { type: 'binary', op: 'CONTAINS', left, right: this.additive() };
      } else {
        return left;
      }
    }
  }

  private additive(): Expr {
    let left = this.multiplicative();
    for (;;) {
      if (this.acceptOp('+')) left = { type: 'binary', op: '+', left, right: this.multiplicative() };
      else if (this.acceptOp('-')) left = { type: 'binary', op: '-', left, right: this.multiplicative() };
      else if (this.acceptOp('||')) left = { type: 'call', name: 'concat', args: [left, this.multiplicative()], pos: this.tok.pos };
      else return left;
    }
  }

  private multiplicative(): Expr {
    let left = this.unary();
    for (;;) {
      const t = this.tok;
      if (t.kind === 'op' && (t.text === '*' || t.text === '/' || t.text === '%')) {
        this.i++;
        left = { type: 'binary', op: t.text, left, right: this.unary() };
      } else {
        return left;
      }
    }
  }

  private unary(): Expr {
    if (this.acceptOp('-')) {
      // Fold negative number literals so that `-5` is an Int literal, not an expression.
      const operand = this.unary();
      if (operand.type === 'literal' && typeof operand.value === 'number') return { type: 'literal', value: -operand.value };
      return { type: 'unary', op: '-', operand };
    }
    if (this.acceptOp('+')) return this.unary();
    return this.postfix();
  }

  private postfix(): Expr {
    let expr = this.primary();
    for (;;) {
      if (this.acceptOp('.')) {
        const t = this.tok;
        if (t.kind !== 'ident') this.fail('a property name');
        this.i++;
        expr = { type: 'member', object: expr, name: t.text };
      } else if (this.acceptOp('[')) {
        const index = this.expression();
        this.expectOp(']');
        expr = { type: 'index', object: expr, index };
      } else {
        return expr;
      }
    }
  }

  private primary(): Expr {
    const t = this.tok;
    switch (t.kind) {
      case 'number':
        this.i++;
        return { type: 'literal', value: Number(t.text) };
      case 'string':
        this.i++;
        return { type: 'literal', value: t.text };
      case 'variable':
        this.i++;
        return { type: 'variable', name: t.text, pos: t.pos };
      case 'eof':
        this.fail('an expression');
      case 'op':
        return this.primaryOp(t);
      case 'ident':
        return this.primaryIdent(t);
    }
  }

  private primaryOp(t: Token): Expr {
    if (this.acceptOp('*')) return { type: 'wildcard' };
    if (this.acceptOp('(')) {
      if (this.isKeyword('SELECT')) {
        this.requireV2('nested object queries', t);
        const query = this.query(false);
        this.expectOp(')');
        return { type: 'subquery', query };
      }
      const inner = this.expression();
      this.expectOp(')');
      return inner;
    }
    if (this.acceptOp('[')) {
      this.requireV2('array literals', t);
      const items: Expr[] = [];
      if (!this.acceptOp(']')) {
        do items.push(this.expression());
        while (this.acceptOp(','));
        this.expectOp(']');
      }
      return { type: 'array', items };
    }
    if (this.acceptOp('{')) {
      this.requireV2('object literals', t);
      const entries: [string, Expr][] = [];
      if (!this.acceptOp('}')) {
        do {
          const key = this.tok;
          if (key.kind !== 'string' && key.kind !== 'ident') this.fail('an object key');
          this.i++;
          this.expectOp(':');
          entries.push([key.text, this.expression()]);
        } while (this.acceptOp(','));
        this.expectOp('}');
      }
      return { type: 'object', entries };
    }
    this.fail('an expression', t);
  }

  private primaryIdent(t: Token): Expr {
    const upper = t.text.toUpperCase();
    if (upper === 'TRUE' || upper === 'FALSE') {
      this.i++;
      return { type: 'literal', value: upper === 'TRUE' };
    }
    if (upper === 'NULL') {
      this.i++;
      return { type: 'literal', value: null };
    }
    if (upper === 'CASE') return this.caseExpr();
    if (this.isOp('(', this.peek())) {
      this.i += 2;
      if (upper === 'CAST') {
        const operand = this.expression();
        this.expectKeyword('AS');
        const type = this.tok;
        if (type.kind !== 'ident') this.fail('a type name');
        this.i++;
        this.expectOp(')');
        return { type: 'cast', operand, to: type.text.toLowerCase() };
      }
      const args: Expr[] = [];
      if (!this.acceptOp(')')) {
        do args.push(this.expression());
        while (this.acceptOp(','));
        this.expectOp(')');
      }
      return { type: 'call', name: t.text.toLowerCase(), args, pos: t.pos };
    }
    if (reserved.has(upper)) this.fail('an expression', t);
    this.i++;
    return { type: 'field', name: t.text };
  }

  private caseExpr(): Expr {
    this.expectKeyword('CASE');
    // Searched CASE (`CASE WHEN condition THEN ...`) has no subject.
    const subject = this.isKeyword('WHEN') ? undefined : this.expression();
    const whens: { when: Expr; then: Expr }[] = [];
    while (this.acceptKeyword('WHEN')) {
      const when = this.expression();
      this.expectKeyword('THEN');
      whens.push({ when, then: this.expression() });
    }
    // [AWS IoT SQL, Case statements] "Case statements require at least one WHEN clause."
    if (whens.length === 0) this.fail('WHEN');
    const otherwise = this.acceptKeyword('ELSE') ? this.expression() : undefined;
    this.expectKeyword('END');
    return {
      type: 'case',
      whens,
      ...(subject === undefined ? {} : { subject }),
      ...(otherwise === undefined ? {} : { otherwise }),
    };
  }
}
