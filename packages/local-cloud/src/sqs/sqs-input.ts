/** Reading the fields of an SQS JSON request, with the errors SQS answers for missing or bad ones. */
import { requestFields } from '../aws-endpoint/index.ts';
import { invalidParameter, sqsError } from './sqs-errors.ts';

export type Input = Record<string, unknown>;

const fields = requestFields({
  invalid: invalidParameter,
  missing: (name) => sqsError('MissingParameter', `The request must contain the parameter ${name}.`),
});

export const requiredString = fields.requiredString;

/** A map member (`Attributes`, `MessageAttributes`, ...); absent is empty. */
export function objectField(input: Input, field: string): Record<string, unknown> {
  return fields.object(input, field) ?? {};
}

export function optionalInteger(input: Input, field: string, min: number, max: number): number | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidParameter(
      `Value ${String(value)} for parameter ${field} is invalid. Reason: Must be between ${min} and ${max}, if provided.`,
    );
  }
  return value;
}

export function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}
