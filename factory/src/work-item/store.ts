import {
  contentionPause,
  isDuplicateKey,
  WORK_ITEMS,
  type WorkItemDocument,
  withoutUndefined,
} from '@az-shop/common';
import type { Collection, Db } from 'mongodb';
import { decide } from './decide';
import { evolveAll } from './evolve';
import {
  isRejection,
  type Rejection,
  type WorkItem,
  type WorkItemCommand,
  type WorkItemEvent,
} from './types';

export interface CommandResult {
  state: WorkItem | null;
  events: WorkItemEvent[];
  rejection?: Rejection;
}

export function toDocument(state: WorkItem, version: number): WorkItemDocument {
  return withoutUndefined({ ...state, partition_key: state.productId || 'unknown', version });
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
    async execute(id: string, command: WorkItemCommand, now: () => Date): Promise<CommandResult> {
      for (let attempt = 1; ; attempt++) {
        const document = await collection.findOne({ _id: id });
        const current = document ? fromDocument(document) : undefined;
        const decision = decide(command, current?.state ?? null, now());
        if (isRejection(decision)) return { state: current?.state ?? null, events: [], rejection: decision };
        if (decision.length === 0) return { state: current?.state ?? null, events: [] };
        const next = evolveAll(current?.state ?? null, decision);
        if (!next) return { state: null, events: [] };
        if (!current) {
          try {
            await collection.insertOne(toDocument(next, 1));
            return { state: next, events: decision };
          } catch (error) {
            if (!isDuplicateKey(error)) throw error;
          }
        } else {
          const written = await collection.replaceOne(
            { _id: id, version: current.version },
            toDocument(next, current.version + 1),
          );
          if (written.matchedCount === 1) return { state: next, events: decision };
        }
        await contentionPause(attempt);
      }
    },
  };
}

export type WorkItemStore = ReturnType<typeof workItemStore>;
