/** A syntax error in an AWS IoT SQL statement or substitution template. */
export class IotSqlError extends Error {
  constructor(
    message: string,
    /** 0-based character offset in `source` where the problem was found. */
    readonly position: number,
    /** The SQL statement or template that failed to parse. */
    readonly source: string,
  ) {
    super(`${message} at position ${position} in ${JSON.stringify(source)}`);
    this.name = 'IotSqlError';
  }
}
