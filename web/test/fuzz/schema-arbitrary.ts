import fc from 'fast-check';

/** The part of JSON Schema that TypeBox emits for request schemas (TypeBox schemas are JSON Schema). */
export interface JsonSchema {
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  patternProperties?: Record<string, JsonSchema>;
  maxProperties?: number;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
}

/**
 * What the generator knows beyond the schema, so valid-ish values reach past "not found": strings
 * that exist in the seeded data (ids), and filled-in forms for free-form records (form bodies).
 */
export interface Hints {
  strings: readonly string[];
  forms?: fc.Arbitrary<Record<string, string>>;
}

/** Values generated beyond this many items or characters add time, not coverage (hostile.ts goes bigger). */
const SMALL = 8;
const SHORT = 40;

/** Compiles a pattern as Ajv does (unicode), or null when JavaScript cannot (then it is not used). */
function compile(pattern: string): RegExp | null {
  try {
    return new RegExp(pattern, 'u');
  } catch {
    return null;
  }
}

function stringArbitrary(schema: JsonSchema, hints: Hints): fc.Arbitrary<string> {
  const minLength = schema.minLength ?? 0;
  const maxLength = schema.maxLength ?? minLength + SHORT;
  const pattern = schema.pattern === undefined ? null : compile(schema.pattern);
  const fits = (text: string) =>
    text.length >= minLength && text.length <= maxLength && (pattern === null || pattern.test(text));
  const free = fc.string({ minLength, maxLength: Math.min(maxLength, minLength + SHORT) });
  let generated: fc.Arbitrary<string> = free;
  if (pattern) {
    try {
      // stringMatching knows no lookahead and the like; such patterns fall back to free text.
      generated = fc.stringMatching(pattern).filter(fits);
    } catch {
      generated = free;
    }
  }
  const known = hints.strings.filter(fits);
  return known.length === 0
    ? generated
    : fc.oneof({ arbitrary: fc.constantFrom(...known), weight: 3 }, { arbitrary: generated, weight: 1 });
}

function numberArbitrary(schema: JsonSchema, integer: boolean): fc.Arbitrary<number> {
  const min =
    schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + (integer ? 1 : 1e-9) : schema.minimum;
  const max =
    schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - (integer ? 1 : 1e-9) : schema.maximum;
  if (integer) return fc.integer({ min: min ?? -1_000_000, max: max ?? 1_000_000 });
  return fc.double({ min: min ?? -1e6, max: max ?? 1e6, noNaN: true, noDefaultInfinity: true });
}

/** A record's entries: often a filled-in form with a few more, else any keys the value schema allows. */
function recordArbitrary(
  value: JsonSchema,
  maxKeys: number,
  hints: Hints,
): fc.Arbitrary<Record<string, unknown>> {
  const entries = fc
    .array(fc.tuple(fc.string({ maxLength: SHORT }), arbitraryFromSchema(value, hints)), {
      maxLength: Math.min(maxKeys, SMALL),
    })
    .map((pairs) => Object.fromEntries(pairs) as Record<string, unknown>);
  if (!hints.forms) return entries;
  const form = fc.tuple(hints.forms, entries).map(([fields, more]) => ({ ...more, ...fields }));
  return fc.oneof({ arbitrary: form, weight: 3 }, { arbitrary: entries, weight: 1 });
}

/** A JSON body as the form of the same action posts it: nested fields flattened, every value text. */
export function asForm(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null) return {};
  const fields: Record<string, string> = {};
  for (const [name, field] of Object.entries(value)) {
    if (typeof field === 'object' && field !== null) Object.assign(fields, asForm(field));
    else fields[name] = String(field);
  }
  return fields;
}

function objectArbitrary(schema: JsonSchema, hints: Hints): fc.Arbitrary<Record<string, unknown>> {
  const properties = schema.properties ?? {};
  const declared = fc.record(
    Object.fromEntries(
      Object.entries(properties).map(([name, sub]) => [name, arbitraryFromSchema(sub, hints)]),
    ),
    { requiredKeys: schema.required ?? [] },
  );
  const extra =
    typeof schema.additionalProperties === 'object'
      ? schema.additionalProperties
      : Object.values(schema.patternProperties ?? {})[0];
  if (!extra) return declared;
  const room = Math.max(0, (schema.maxProperties ?? SMALL) - Object.keys(properties).length);
  return fc
    .tuple(declared, recordArbitrary(extra, room, hints))
    .map(([known, more]) => ({ ...more, ...known }));
}

/**
 * Valid-ish values of a JSON schema: within its types, bounds and patterns where fast-check can
 * follow them, preferring known strings (ids of seeded data) so requests get past "not found".
 */
export function arbitraryFromSchema(schema: JsonSchema, hints: Hints): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const union = schema.anyOf ?? schema.oneOf;
  if (union) return fc.oneof(...union.map((member) => arbitraryFromSchema(member, hints)));
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      return stringArbitrary(schema, hints);
    case 'integer':
      return numberArbitrary(schema, true);
    case 'number':
      return numberArbitrary(schema, false);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(arbitraryFromSchema(schema.items ?? {}, hints), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? SMALL, (schema.minItems ?? 0) + SMALL),
      });
    case 'object':
      return objectArbitrary(schema, hints);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}
