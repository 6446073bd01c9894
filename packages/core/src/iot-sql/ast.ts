/** Syntax tree of an AWS IoT SQL statement. */

export type Expr =
  | { readonly type: 'literal'; readonly value: null | boolean | number | string }
  /** A name resolved against the current document (the payload, or a nested query's element). */
  | { readonly type: 'field'; readonly name: string }
  /** `@name`: a variable assigned by the SET clause (or given to a substitution template). */
  | { readonly type: 'variable'; readonly name: string; readonly pos: number }
  | { readonly type: 'member'; readonly object: Expr; readonly name: string }
  | { readonly type: 'index'; readonly object: Expr; readonly index: Expr }
  /** `*`: the whole payload (JSON value, or raw bytes when the payload is not JSON). */
  | { readonly type: 'wildcard' }
  | { readonly type: 'array'; readonly items: readonly Expr[] }
  | { readonly type: 'object'; readonly entries: readonly (readonly [string, Expr])[] }
  | { readonly type: 'unary'; readonly op: '-' | 'NOT'; readonly operand: Expr }
  | { readonly type: 'binary'; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr }
  | { readonly type: 'is'; readonly operand: Expr; readonly negated: boolean; readonly what: 'NULL' | 'UNDEFINED' }
  | { readonly type: 'call'; readonly name: string; readonly args: readonly Expr[]; readonly pos: number }
  | { readonly type: 'cast'; readonly operand: Expr; readonly to: string }
  | {
      readonly type: 'case';
      /** Simple CASE compares this value with each WHEN; a searched CASE (no subject) tests each WHEN as a condition. */
      readonly subject?: Expr;
      readonly whens: readonly { readonly when: Expr; readonly then: Expr }[];
      readonly otherwise?: Expr;
    }
  | { readonly type: 'subquery'; readonly query: Query };

export type BinaryOp = 'OR' | 'AND' | '=' | '<>' | '<' | '<=' | '>' | '>=' | '+' | '-' | '*' | '/' | '%' | 'IN' | 'CONTAINS';

export type SelectItem =
  | { readonly type: 'all' }
  /** `alias` is the output key path (`AS a.b` nests); undefined when no AS was written. */
  | { readonly type: 'expr'; readonly expr: Expr; readonly alias?: readonly string[] };

/** `SET @name = expr` (https://docs.aws.amazon.com/iot/latest/developerguide/iot-sql-set.html). */
export interface VariableAssignment {
  readonly name: string;
  readonly expr: Expr;
  readonly pos: number;
}

export interface Query {
  /** Top level only: the SET clause's assignments, in order (each may use the earlier ones). */
  readonly set?: readonly VariableAssignment[];
  /** `SELECT VALUE x`: the output is the value itself, not an object. */
  readonly value: boolean;
  readonly items: readonly SelectItem[];
  /** Top level: the topic filter. Nested query: the expression whose elements are queried. */
  readonly from:
    | { readonly type: 'topic'; readonly filter: string }
    | { readonly type: 'expr'; readonly expr: Expr }
    /** No FROM: a rule reached only through Basic Ingest (`$aws/rules/<ruleName>/...`). */
    | { readonly type: 'none' };
  readonly where?: Expr;
}
