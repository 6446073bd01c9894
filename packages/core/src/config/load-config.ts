/**
 * The one configuration reader: a process's composition root hands its environment and its
 * schema (a table of variables, see `config-variables.ts`) to `loadConfig` once, at start-up, and
 * gets a typed configuration or every problem at once, so that a misconfigured task fails with one
 * readable message instead of at its first request.
 */
import type { DefaultedVariable, OptionalVariable, Variable, WrittenVariable } from './config-variables.ts';

/** A process's configuration: config key → the variable it is read from. */
export type ConfigSchema = Readonly<Record<string, Variable<unknown>>>;

/** What a process environment looks like to the reader (`process.env` is one). */
export type Environment = Readonly<Record<string, string | undefined>>;

type ValueOf<V> = V extends WrittenVariable<infer T> | DefaultedVariable<infer T> | OptionalVariable<infer T> ? T : never;
type OptionalKeys<S extends ConfigSchema> = { [K in keyof S]: S[K] extends OptionalVariable<unknown> ? K : never }[keyof S];

/** The configuration a schema reads: one typed property per row; the rows without a value or default are optional. */
export type ConfigOf<S extends ConfigSchema> = { readonly [K in Exclude<keyof S, OptionalKeys<S>>]: ValueOf<S[K]> } & {
  readonly [K in OptionalKeys<S>]?: ValueOf<S[K]>;
};

export interface ConfigProblem {
  readonly variable: string;
  /** The raw text, `undefined` when the variable is not set. */
  readonly received: string | undefined;
  readonly expected: string;
  /** `PORT: received "eighty", expected an integer from 0 to 65535`. */
  readonly message: string;
}

export type ConfigResult<C> =
  { readonly ok: true; readonly config: C } | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

/** Reads every variable of `schema` from `env`; never throws. Blank values count as unset. */
export function loadConfig<S extends ConfigSchema>(schema: S, env: Environment): ConfigResult<ConfigOf<S>> {
  const problems: ConfigProblem[] = [];
  const config: Record<string, unknown> = {};
  for (const [key, variable] of Object.entries(schema)) {
    const raw = env[variable.name];
    const trimmed = raw?.trim() ?? '';
    if (trimmed === '') {
      if (variable.kind === 'written') problems.push(problem(variable, raw, 'required: the platform sets it, see serviceEnvironment()'));
      if (variable.kind === 'defaulted') config[key] = variable.default;
      continue;
    }
    const value = variable.type.parse(trimmed);
    if (value === undefined) problems.push(problem(variable, raw));
    config[key] = value;
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, config: config as ConfigOf<S> };
}

/** The problems as lines for a log or stderr. */
export function describeConfigProblems(problems: readonly ConfigProblem[]): string {
  return problems.map((p) => `  - ${p.message}`).join('\n');
}

/** The names of the variables a schema reads. */
export function variableNames(schema: ConfigSchema): string[] {
  return Object.values(schema).map((v) => v.name);
}

function problem(variable: Variable<unknown>, received: string | undefined, note?: string): ConfigProblem {
  const expected = variable.type.expected;
  const what = received === undefined ? 'nothing (not set)' : JSON.stringify(received);
  return {
    variable: variable.name,
    received,
    expected,
    message: `${variable.name}: received ${what}, expected ${expected}${note ? ` (${note})` : ''}`,
  };
}
