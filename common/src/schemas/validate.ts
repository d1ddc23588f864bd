import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';

export type Validation<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Checks a document read from another service's collection; the reason names the first bad fields. */
export function validateDocument<T>(schema: TSchema, document: unknown): Validation<T> {
  if (Value.Check(schema, document)) return { ok: true, value: document as T };
  const problems = [...Value.Errors(schema, document)].slice(0, 3).map((error) => {
    const path = error.instancePath || '/';
    if (error.keyword === 'required') {
      const missing = (error.params as { requiredProperties?: string[] }).requiredProperties ?? [];
      return `missing ${missing.map((key) => `${path === '/' ? '' : path}/${key}`).join(', ')}`;
    }
    return `${path} ${error.message}`;
  });
  return { ok: false, reason: `invalid document: ${problems.join('; ')}` };
}
