/** Reading the fields of an SQS JSON request, with the errors SQS answers for missing or bad ones. */
import { invalidParameter, sqsError } from './sqs-errors.ts';

export type Input = Record<string, unknown>;

export function requiredString(input: Input, field: string): string {
  const value = input[field];
  if (typeof value !== 'string' || value === '') throw sqsError('MissingParameter', `The request must contain the parameter ${field}.`);
  return value;
}

export function objectField(input: Input, field: string): Record<string, unknown> {
  const value = input[field];
  return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
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
