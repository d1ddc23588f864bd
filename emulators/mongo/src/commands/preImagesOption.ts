import type { Document } from 'bson';
import { isPlainObject } from '../bsonUtil.js';
import { fail } from '../errors.js';
import { typeAlias } from '../query/typeNames.js';

const INTERNAL_DBS = new Set(['admin', 'local', 'config']);

/**
 * Validates `changeStreamPreAndPostImages` of a `create` or `collMod` command as mongod does: its IDL struct
 * (`ChangeStreamPreAndPostImagesOptions`, strict, `enabled: bool` required) answers TypeMismatch (14),
 * IDLUnknownField (40415) or IDLFailedToParse (40414), fields checked in document order; enabling it on an
 * internal database answers InvalidOptions (72). Returns the value to apply (undefined when absent).
 */
export function parsePreImagesOption(
  command: 'create' | 'collMod',
  value: unknown,
  db: string,
): { enabled: boolean } | undefined {
  if (value === undefined) return undefined;
  const field = `${command}.changeStreamPreAndPostImages`;
  if (!isPlainObject(value)) {
    fail(
      'TypeMismatch',
      `BSON field '${field}' is the wrong type '${typeAlias(value)}', expected type 'object'`,
    );
  }
  for (const [k, v] of Object.entries(value as Document)) {
    if (k !== 'enabled') fail('Location40415', `BSON field '${field}.${k}' is an unknown field.`);
    if (typeof v !== 'boolean') {
      fail(
        'TypeMismatch',
        `BSON field '${field}.enabled' is the wrong type '${typeAlias(v)}', expected type 'bool'`,
      );
    }
  }
  const enabled = (value as Document).enabled;
  if (enabled === undefined)
    fail('Location40414', `BSON field '${field}.enabled' is missing but a required field`);
  if (enabled === true && INTERNAL_DBS.has(db)) {
    fail(
      'InvalidOptions',
      `changeStreamPreAndPostImages collection option is not supported on the ${db} database`,
    );
  }
  return { enabled: enabled === true };
}
