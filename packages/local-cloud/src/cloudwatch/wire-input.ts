/**
 * Readers for JSON request members: they turn a wrong type into the service's validation error
 * instead of a crash deep inside an operation.
 */
import type { AwsError } from '../aws-endpoint/index.ts';

export type Input = Readonly<Record<string, unknown>>;
type ErrorFactory = (message: string) => AwsError;

export interface InputReader {
  string(input: Input, name: string): string | undefined;
  requiredString(input: Input, name: string): string;
  number(input: Input, name: string): number | undefined;
  requiredNumber(input: Input, name: string): number;
  boolean(input: Input, name: string): boolean | undefined;
  list(input: Input, name: string): readonly unknown[] | undefined;
  object(input: Input, name: string): Input | undefined;
  /** A timestamp as epoch ms. CloudWatch's JSON protocol sends epoch seconds (possibly fractional). */
  timestampSeconds(input: Input, name: string): number | undefined;
  stringList(input: Input, name: string): string[] | undefined;
}

export function inputReader(invalid: ErrorFactory, missing: (name: string) => AwsError): InputReader {
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
      if (typeof value !== 'number' || Number.isNaN(value)) throw invalid(`${name} must be a number; received ${JSON.stringify(value)}`);
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
  };
  return reader;
}

/** Treats each element of a list member as a structure. */
export function structures(list: readonly unknown[] | undefined, name: string, invalid: ErrorFactory): Input[] {
  return (list ?? []).map((item, i) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw invalid(`${name}.member.${i + 1} must be a structure`);
    return item as Input;
  });
}
