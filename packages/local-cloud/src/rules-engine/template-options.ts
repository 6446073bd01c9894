import type { EvaluateOptions, SqlValue } from '@fleet/core';

/**
 * The substitution templates' evaluation options with the rule's SET clause variables for this
 * message, so an action template may read `${@name}` as AWS documents
 * (https://docs.aws.amazon.com/iot/latest/developerguide/iot-sql-set.html).
 */
export function withVariables(
  options: EvaluateOptions | undefined,
  variables: Readonly<Record<string, SqlValue>> | undefined,
): EvaluateOptions | undefined {
  return variables === undefined ? options : { ...options, variables };
}
