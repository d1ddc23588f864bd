import type { Document } from 'bson';
import { Aggregator } from 'mingo/aggregator';
import { ProcessingMode } from 'mingo/core';
import * as pipelineOperators from 'mingo/operators/pipeline';
import { isPlainObject } from '../bsonUtil.js';
import { fail, unsupported } from '../errors.js';
import { typedOptions } from './context.js';
import type { Options } from './evaluate.js';
import { assertSupported, typedView } from './match.js';

const UNSUPPORTED_STAGES = new Set([
  '$search',
  '$searchMeta',
  '$vectorSearch',
  '$geoNear',
  '$listSearchIndexes',
  '$collStats',
  '$indexStats',
  '$planCacheStats',
  '$listSessions',
  '$currentOp',
]);

export function validatePipeline(pipeline: unknown): Document[] {
  if (!Array.isArray(pipeline)) fail('TypeMismatch', "'pipeline' option must be specified as an array");
  for (const stage of pipeline) {
    if (!isPlainObject(stage) || Object.keys(stage).length !== 1) {
      fail('Location40323', 'A pipeline stage specification object must contain exactly one field.');
    }
    const name = Object.keys(stage)[0]!;
    if (UNSUPPORTED_STAGES.has(name)) unsupported(`the ${name} aggregation stage`);
    // $changeStream and $listLocalSessions (first stage only) are answered by the commands, not mingo.
    if (!(name in pipelineOperators) && name !== '$changeStream' && name !== '$listLocalSessions') {
      fail('Location40324', `Unrecognized pipeline stage name: '${name}'`);
    }
  }
  assertSupported(pipeline);
  return pipeline as Document[];
}

/** Stages that only read their input documents (they build new ones or pass them on unchanged). */
const READ_ONLY_STAGES = new Set(['$match', '$group', '$count', '$sort', '$skip', '$limit', '$sortByCount']);

/**
 * Runs a pipeline with mingo and the typed operators (context.ts): documents keep their BSON number types,
 * so results come back with mongod's types. Inputs are cloned by mingo, so stages that modify documents
 * never touch the stored ones, except when every stage only reads them (a count, a group): cloning every
 * matched document there cost more than the pipeline.
 */
export function runPipeline(
  docs: Document[],
  pipeline: Document[],
  resolveCollection: (name: string) => Document[],
  variables?: Document,
  collation?: Partial<Options>,
): Document[] {
  if (pipeline.length === 0) return docs;
  const agg = new Aggregator(
    pipeline,
    typedOptions({
      processingMode: pipeline.every((stage) => READ_ONLY_STAGES.has(Object.keys(stage)[0]!))
        ? ProcessingMode.CLONE_OFF
        : ProcessingMode.CLONE_INPUT,
      collectionResolver: (name: string) => resolveCollection(name).map(typedView),
      variables,
      ...collation,
    }),
  );
  return agg.run(docs.map(typedView)) as Document[];
}
