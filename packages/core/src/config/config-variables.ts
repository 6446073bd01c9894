/**
 * The environment variables a process reads, as a typed table: each row names the variable, its
 * type and bounds, where its value comes from and what it is for. `loadConfig` reads a table;
 * `serviceEnvironment` writes the rows the platform sets. Nothing else reads or writes them.
 */
import type { ResourceReferences } from '../service-environment.ts';
import type { ServiceDefinition } from '../services.ts';

/** How the text of a variable becomes a value, and what valid text looks like. */
export interface ValueType<T> {
  /** Said in messages after "expected": `an integer from 1 to 32`. */
  readonly expected: string;
  /** The value, or `undefined` when the (trimmed, non-empty) text is not one. */
  readonly parse: (text: string) => T | undefined;
}

/** How the platform computes a variable's value for one service (CloudFormation tokens on AWS). */
export type VariableWriter = (refs: ResourceReferences, service: ServiceDefinition) => string;

interface VariableBase<T> {
  /** The environment variable, e.g. `INGEST_QUEUE_URL`. */
  readonly name: string;
  readonly type: ValueType<T>;
  /** What it is for and who sets it: the documentation of the variable. */
  readonly description: string;
}

/** Set by the platform (`serviceEnvironment`: the ECS task definition and the local launcher); required. */
export interface WrittenVariable<T> extends VariableBase<T> {
  readonly kind: 'written';
  readonly write: VariableWriter;
}

/** Not set by the platform; the default applies when unset or empty (tuning, `LOG_LEVEL`, `HOST`). */
export interface DefaultedVariable<T> extends VariableBase<T> {
  readonly kind: 'defaulted';
  readonly default: T;
}

/** Not set by the platform and without a default: the value is `undefined` when unset (`AWS_ENDPOINT_URL`). */
export interface OptionalVariable<T> extends VariableBase<T> {
  readonly kind: 'optional';
}

export type Variable<T> = WrittenVariable<T> | DefaultedVariable<T> | OptionalVariable<T>;

export const written = <T>(name: string, type: ValueType<T>, write: VariableWriter, description: string): WrittenVariable<T> => ({
  kind: 'written',
  name,
  type,
  write,
  description,
});

export const defaulted = <T>(name: string, type: ValueType<T>, defaultValue: T, description: string): DefaultedVariable<T> => ({
  kind: 'defaulted',
  name,
  type,
  default: defaultValue,
  description,
});

export const optional = <T>(name: string, type: ValueType<T>, description: string): OptionalVariable<T> => ({
  kind: 'optional',
  name,
  type,
  description,
});

/** Any non-empty text (surrounding blanks removed). */
export const text: ValueType<string> = { expected: 'a non-empty string', parse: (s) => s };

export function integer(min: number, max: number): ValueType<number> {
  return {
    expected: `an integer from ${min} to ${max}`,
    parse: (s) => {
      const n = Number(s);
      return /^-?\d+$/.test(s) && n >= min && n <= max ? n : undefined;
    },
  };
}

export function oneOf<const T extends string>(values: readonly T[]): ValueType<T> {
  return {
    expected: `one of ${values.join(', ')}`,
    parse: (s) => values.find((v) => v === s),
  };
}

/** Text matching `pattern`; `example` shows the expected form in messages. */
export function matching(pattern: RegExp, example: string): ValueType<string> {
  return { expected: `text like ${JSON.stringify(example)}`, parse: (s) => (pattern.test(s) ? s : undefined) };
}

/**
 * An absolute URL with one of `schemes` (`['http', 'https']`). A base URL (`trimTrailingSlash`)
 * loses its trailing slashes so that paths can be appended with one `/`.
 */
export function url(schemes: readonly string[], options: { readonly trimTrailingSlash?: boolean } = {}): ValueType<string> {
  return {
    expected: `an absolute ${schemes.join(' or ')} URL`,
    parse: (s) => {
      if (!URL.canParse(s) || !schemes.includes(new URL(s).protocol.slice(0, -1))) return undefined;
      return options.trimTrailingSlash ? s.replace(/\/+$/, '') : s;
    },
  };
}
