import { toJson, type SqlValue } from './values.ts';

/**
 * The bytes an action sends for a rule output: JSON for JSON values, the raw payload for
 * `SELECT *` of a non-JSON payload, nothing for Undefined.
 */
export function outputToBytes(output: unknown): Uint8Array {
  if (output instanceof Uint8Array) return output;
  if (output === undefined) return new Uint8Array(0);
  return new TextEncoder().encode(toJson(output as SqlValue));
}

/** `outputToBytes` as UTF-8 text (for SQS message bodies and log events). */
export function outputToText(output: unknown): string {
  return new TextDecoder().decode(outputToBytes(output));
}
