import type { Document } from 'bson';
import { Aggregator } from 'mingo';
import { ProcessingMode } from 'mingo/core';
import * as pipelineOperators from 'mingo/operators/pipeline';
import { isPlainObject } from '../bsonUtil.js';
import { fail, unsupported } from '../errors.js';
import { aggView, assertSupported } from './match.js';

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
  '$listLocalSessions',
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
    if (!(name in pipelineOperators) && name !== '$changeStream') {
      fail('Location40324', `Unrecognized pipeline stage name: '${name}'`);
    }
  }
  assertSupported(pipeline);
  return pipeline as Document[];
}

/**
 * Runs a pipeline with mingo. Inputs are viewed with plain numbers (see README) and cloned by mingo,
 * so stages that modify documents never touch the stored ones.
 */
export function runPipeline(
  docs: Document[],
  pipeline: Document[],
  resolveCollection: (name: string) => Document[],
  variables?: Document,
): Document[] {
  if (pipeline.length === 0) return docs;
  const agg = new Aggregator(pipeline, {
    useStrictMode: true,
    scriptEnabled: false,
    processingMode: ProcessingMode.CLONE_INPUT,
    collectionResolver: (name: string) => resolveCollection(name).map(aggView),
    variables,
  });
  return agg.run(docs.map(aggView)) as Document[];
}
