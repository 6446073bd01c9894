/**
 * A syntax error in an AWS IoT SQL statement or substitution template: what CreateTopicRule answers
 * with `SqlParseException`.
 */
export class IotSqlError extends Error {
  constructor(
    /** What is wrong, without the position (e.g. `mismatched input 'FRM' expecting FROM`). */
    readonly reason: string,
    /** 0-based character offset in `source` where the problem was found. */
    readonly position: number,
    /** The SQL statement or template that failed to parse. */
    readonly source: string,
  ) {
    super(`${reason} at position ${position} in ${JSON.stringify(source)}`);
    this.name = 'IotSqlError';
  }
}

/** Line (1-based) and column (0-based, as ANTLR reports it) of a character offset. */
export function lineAndColumn(source: string, position: number): { readonly line: number; readonly column: number } {
  const before = source.slice(0, position);
  const line = before.split('\n').length;
  const column = position - (before.lastIndexOf('\n') + 1);
  return { line, column };
}

/**
 * The message of the `SqlParseException` AWS IoT answers to CreateTopicRule / ReplaceTopicRule for
 * this error. AWS's parser is ANTLR-generated and reports `Line <line>:<column>: <reason>`, e.g.
 * `Line 1:9: mismatched input 'FRM' expecting FROM`.
 */
export function sqlParseMessage(err: IotSqlError): string {
  const { line, column } = lineAndColumn(err.source, err.position);
  return `Line ${line}:${column}: ${err.reason}`;
}

/**
 * Raised while evaluating a rule, not while compiling it: AWS accepts the statement, but the message
 * cannot be processed (a function that needs another AWS service). The rules engine turns it into the
 * rule's error action, as AWS does when such a call fails.
 */
export class IotSqlEvaluationError extends Error {
  constructor(
    message: string,
    /** The function whose call failed. */
    readonly functionName: string,
  ) {
    super(message);
    this.name = 'IotSqlEvaluationError';
  }
}
