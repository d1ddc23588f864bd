import type { FieldErrors } from '../ui/data';

/**
 * One problem of a request body, as the API sends it in `details` of a 400 (`path` is a JSON
 * pointer such as `/address/postcode`). Safe for the browser bundle: no validator in here.
 */
export interface FieldProblem {
  path: string;
  message: string;
  params?: unknown;
}

function isFieldProblem(value: unknown): value is FieldProblem {
  const candidate = value as Partial<FieldProblem> | null;
  return typeof candidate?.path === 'string' && typeof candidate.message === 'string';
}

/** The field a problem is about: the last segment of its path, or the property a `required` names. */
export function fieldOf(problem: FieldProblem): string {
  const missing = (problem.params as { missingProperty?: unknown } | undefined)?.missingProperty;
  if (typeof missing === 'string') return missing;
  const segments = problem.path.split('/').filter(Boolean);
  return segments.at(-1) ?? '';
}

/** Field name → the first message about it; problems without a field go under `''`. */
export function toFieldErrors(details: unknown): FieldErrors {
  const errors: FieldErrors = {};
  if (!Array.isArray(details)) return errors;
  for (const problem of details) {
    if (!isFieldProblem(problem)) continue;
    const field = fieldOf(problem);
    errors[field] ??= problem.message;
  }
  return errors;
}
