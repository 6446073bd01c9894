/**
 * The reader's side of a contract: checks a JSON answer against the contract's schema before a
 * process trusts it (the API Service checks the Data Service's answers, the web app the API's).
 * The outcome is a value; what to do with a mismatch is the caller's decision (the API answers
 * 502, the web app shows an error). Browser-safe: TypeBox's compiler runs in the browser bundle.
 */
import type { Static, TSchema } from 'typebox';
import { Compile, type Validator } from 'typebox/compile';

export type AnswerCheck<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problems: readonly string[] };

/** How many schema violations a mismatch names (the first ones; the rest add little). */
const problemsNamed = 3;

/**
 * A checker of `schema`, compiled on first use (so that importing a contract costs nothing until
 * an answer of it is read).
 */
export function answerChecker<T extends TSchema>(schema: T): (value: unknown) => AnswerCheck<Static<T>> {
  let validator: Validator<{}, T> | undefined;
  return (value) => {
    validator ??= Compile(schema);
    if (validator.Check(value)) return { ok: true, value: value };
    const problems = [...validator.Errors(value)]
      .slice(0, problemsNamed)
      .map((e) => `${e.instancePath === '' ? '(the answer)' : e.instancePath} ${e.message}`);
    return { ok: false, problems: problems.length > 0 ? problems : ['does not match the schema'] };
  };
}
