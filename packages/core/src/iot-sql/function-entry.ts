import type { EvalContext } from './eval-context.ts';
import type { SqlValue } from './values.ts';

/** One built-in function of AWS IoT SQL: its implementation and how many arguments it takes. */
export interface SqlFunctionEntry {
  /** `argc` is the number of arguments written in the call (trailing optional ones may be absent). */
  readonly fn: (args: readonly SqlValue[], ctx: EvalContext, argc: number) => SqlValue;
  readonly min: number;
  readonly max: number;
  /** Set for the functions the reference marks "Supported by SQL version 2016-03-23 and later". */
  readonly since?: '2016-03-23';
}
