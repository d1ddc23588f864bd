import { Errors, withDetails } from '@az-shop/common';
import type { Static, TSchema } from 'typebox';
import { Value } from 'typebox/value';
import type { FieldProblem } from './field-errors';

export type InputCheck<T> = { ok: true; value: T } | { ok: false; problems: FieldProblem[] };

/** Field name → what to say when it does not match its pattern (the schema's pattern is no message). */
export type FormatHints = Record<string, string>;

interface TypeBoxError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message: string;
}

function describe(error: TypeBoxError, hints: FormatHints): FieldProblem[] {
  const field = error.instancePath.split('/').at(-1) ?? '';
  const limit = error.params.limit;
  switch (error.keyword) {
    case 'required':
      return ((error.params.requiredProperties as string[] | undefined) ?? []).map((name) => ({
        path: `${error.instancePath}/${name}`,
        message: 'Required',
      }));
    case 'minLength':
      return [
        { path: error.instancePath, message: limit === 1 ? 'Required' : `At least ${limit} characters` },
      ];
    case 'maxLength':
      return [{ path: error.instancePath, message: `At most ${limit} characters` }];
    case 'pattern':
      return [{ path: error.instancePath, message: hints[field] ?? 'Invalid format' }];
    case 'type':
      return [
        { path: error.instancePath, message: `Must be ${String(error.params.type ?? 'another type')}` },
      ];
    default:
      return [{ path: error.instancePath, message: error.message }];
  }
}

/**
 * Checks a request body against the API's TypeBox schema, as the form path and the API both do:
 * properties the schema does not know are dropped (as Fastify's validator drops them), and every
 * problem is reported once per field, in words a form can show.
 */
export function checkInput<S extends TSchema>(
  schema: S,
  input: unknown,
  hints: FormatHints = {},
): InputCheck<Static<S>> {
  const value = Value.Clean(schema, Value.Clone(input));
  if (Value.Check(schema, value)) return { ok: true, value: value as Static<S> };
  const seen = new Set<string>();
  const problems: FieldProblem[] = [];
  for (const error of Value.Errors(schema, value) as Iterable<TypeBoxError>) {
    for (const problem of describe(error, hints)) {
      if (seen.has(problem.path)) continue;
      seen.add(problem.path);
      problems.push(problem);
    }
  }
  return { ok: false, problems };
}

/** The 400 the API answers for these problems (`details` carries them; see ./field-errors.ts). */
export function invalidInput(problems: FieldProblem[], message = 'Some fields need attention'): Error {
  return withDetails(new Errors.Validation(message), problems);
}

/** The problems of a validation error thrown by `invalidInput`, or null for any other error. */
export function problemsOf(error: unknown): FieldProblem[] | null {
  const candidate = error as { statusCode?: unknown; details?: unknown };
  return candidate?.statusCode === 400 && Array.isArray(candidate.details)
    ? (candidate.details as FieldProblem[])
    : null;
}
