/**
 * How the pipeline stages ($sort, $group) find the collation a pipeline runs with: the spec object mingo
 * carries in `options.collation` is registered here (mingo copies contexts, not that object). A leaf module, so stages.ts can import it
 * without importing the collation machinery (which imports the stages through context.ts).
 */
import type { Options } from './evaluate.js';

export interface ValueCollator {
  /** BSON order, strings by the collation. */
  compare(a: unknown, b: unknown): number;
  /** A string's equality key: equal keys for strings the collation finds equal. */
  key(s: string): string;
}

const bySpec = new WeakMap<object, ValueCollator>();

export function registerCollator(spec: object, collator: ValueCollator): void {
  bySpec.set(spec, collator);
}

/** The collation of the pipeline these options belong to, or undefined (simple binary comparison). */
export function collatorOf(options: Options | undefined): ValueCollator | undefined {
  const spec = options?.collation;
  return spec ? bySpec.get(spec) : undefined;
}
