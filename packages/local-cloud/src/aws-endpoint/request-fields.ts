/**
 * Reading the members of a JSON-protocol request (AWS JSON 1.0/1.1, the JSON body of restJson1):
 * a wrong type becomes the service's own validation error instead of a crash deep inside an
 * operation. Each stand-in supplies its errors, since every AWS service words them its own way
 * (CloudWatch's `MissingParameter`, Cognito's "Member must not be null", SQS's `MissingParameter`
 * with "The request must contain the parameter …").
 */
import type { AwsError } from './aws-error.ts';

export type Input = Readonly<Record<string, unknown>>;
type ErrorFactory = (message: string) => AwsError;

export interface FieldErrors {
  /** A member of the wrong type, e.g. "Name must be a string; received number". */
  readonly invalid: ErrorFactory;
  /** A required member that is absent, null or empty. */
  readonly missing: (name: string) => AwsError;
}

export interface InputReader {
  string(input: Input, name: string): string | undefined;
  requiredString(input: Input, name: string): string;
  number(input: Input, name: string): number | undefined;
  requiredNumber(input: Input, name: string): number;
  boolean(input: Input, name: string): boolean | undefined;
  list(input: Input, name: string): readonly unknown[] | undefined;
  object(input: Input, name: string): Input | undefined;
  /** A timestamp as epoch ms. The JSON protocols send epoch seconds (possibly fractional). */
  timestampSeconds(input: Input, name: string): number | undefined;
  stringList(input: Input, name: string): string[] | undefined;
  /** The elements of a list member (read with `list`) as structures; absent is empty. `name` is for messages. */
  structures(list: readonly unknown[] | undefined, name: string): Input[];
}

export function requestFields({ invalid, missing }: FieldErrors): InputReader {
  const reader: InputReader = {
    string(input, name) {
      const value = input[name];
      if (value === undefined || value === null) return undefined;
      if (typeof value !== 'string') throw invalid(`${name} must be a string; received ${typeof value}`);
      return value;
    },
    requiredString(input, name) {
      const value = reader.string(input, name);
      if (value === undefined || value === '') throw missing(name);
      return value;
    },
    number(input, name) {
      const value = input[name];
      if (value === undefined || value === null) return undefined;
      if (typeof value !== 'number' || !Number.isFinite(value))
        throw invalid(`${name} must be a number; received ${JSON.stringify(value)}`);
      return value;
    },
    requiredNumber(input, name) {
      const value = reader.number(input, name);
      if (value === undefined) throw missing(name);
      return value;
    },
    boolean(input, name) {
      const value = input[name];
      if (value === undefined || value === null) return undefined;
      if (typeof value !== 'boolean') throw invalid(`${name} must be a boolean; received ${JSON.stringify(value)}`);
      return value;
    },
    list(input, name) {
      const value = input[name];
      if (value === undefined || value === null) return undefined;
      if (!Array.isArray(value)) throw invalid(`${name} must be a list; received ${typeof value}`);
      return value;
    },
    object(input, name) {
      const value = input[name];
      if (value === undefined || value === null) return undefined;
      if (typeof value !== 'object' || Array.isArray(value)) throw invalid(`${name} must be a structure; received ${typeof value}`);
      return value as Input;
    },
    timestampSeconds(input, name) {
      const value = input[name];
      if (value === undefined || value === null) return undefined;
      if (typeof value === 'number' && Number.isFinite(value)) return Math.round(value * 1000);
      if (typeof value === 'string') {
        const ms = /^\d+(\.\d+)?$/.test(value) ? Number(value) * 1000 : Date.parse(value);
        if (Number.isFinite(ms)) return Math.round(ms);
      }
      throw invalid(`${name} must be a timestamp; received ${JSON.stringify(value)}`);
    },
    stringList(input, name) {
      const list = reader.list(input, name);
      if (list === undefined) return undefined;
      return list.map((item, i) => {
        if (typeof item !== 'string') throw invalid(`${name}.member.${i + 1} must be a string`);
        return item;
      });
    },
    structures(list, name) {
      return (list ?? []).map((item, i) => {
        if (typeof item !== 'object' || item === null || Array.isArray(item)) throw invalid(`${name}.member.${i + 1} must be a structure`);
        return item as Input;
      });
    },
  };
  return reader;
}
