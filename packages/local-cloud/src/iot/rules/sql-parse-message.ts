/**
 * The message of a `SqlParseException`: where the statement stopped parsing and why, as AWS's
 * ("Expected ... at 1:22"). Kept in one function so that core's `sqlParseMessage(err)` (being added
 * by the IoT SQL work) can replace it in one place.
 */
import { IotSqlError } from '@fleet/core';

export function sqlParseMessage(err: unknown, sql: string): string {
  if (!(err instanceof IotSqlError)) return `Could not parse the SQL statement: ${err instanceof Error ? err.message : String(err)}`;
  const before = sql.slice(0, err.position).split('\n');
  const line = before.length;
  const column = (before[before.length - 1]?.length ?? 0) + 1;
  const reason = err.message.replace(/ at position \d+ in ".*"$/s, '');
  return `${reason} at ${line}:${column} (position ${err.position}) in ${JSON.stringify(sql)}`;
}
