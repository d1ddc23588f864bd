import {
  type CommandResult,
  deciderCommand,
  WORK_ITEMS,
  type WorkItemDocument,
  withoutUndefined,
} from '@az-shop/common';
import type { Collection, Db } from 'mongodb';
import { decide } from './decide';
import { evolveAll } from './evolve';
import type { WorkItem, WorkItemCommand, WorkItemEvent } from './types';

export type WorkItemCommandResult = CommandResult<WorkItem, WorkItemEvent>;

export function toDocument(state: WorkItem): Omit<WorkItemDocument, 'version'> {
  return withoutUndefined({ ...state, partition_key: state.productId || 'unknown' });
}

export function fromDocument(document: WorkItemDocument): { state: WorkItem; version: number } {
  const { partition_key: _key, version, ...state } = document;
  return { state, version };
}

/** Loads, decides, evolves and writes a work item conditionally on `version`, retrying on contention. */
export function workItemStore(db: Db) {
  const collection: Collection<WorkItemDocument> = db.collection<WorkItemDocument>(WORK_ITEMS);
  return {
    collection,
    execute: deciderCommand<WorkItem, WorkItemCommand, WorkItemEvent, WorkItemDocument>(collection, {
      decide,
      evolveAll,
      toDocument,
      fromDocument: (document) => fromDocument(document).state,
    }),
  };
}

export type WorkItemStore = ReturnType<typeof workItemStore>;
