import {
  type CommandResult,
  deciderCommand,
  FULFILMENTS,
  type FulfilmentDocument,
  isDuplicateKey,
  withoutUndefined,
  withTraceparent,
} from '@az-shop/common';
import type { Collection, Db } from 'mongodb';
import { decide } from './decide';
import { evolveAll } from './evolve';
import type { Fulfilment, FulfilmentCommand, FulfilmentEvent } from './types';

export type FulfilmentCommandResult = CommandResult<Fulfilment, FulfilmentEvent>;

export interface FulfilmentStore {
  collection: Collection<FulfilmentDocument>;
  load(id: string): Promise<Fulfilment | null>;
  /** Writes a new fulfilment once; false when it already existed (a repeat). */
  create(state: Fulfilment): Promise<boolean>;
  /** Loads, decides, evolves and writes conditionally on `version`, retrying on contention. */
  execute(id: string, command: FulfilmentCommand, now: () => Date): Promise<FulfilmentCommandResult>;
}

export function toDocument(state: Fulfilment): Omit<FulfilmentDocument, 'version'> {
  return withoutUndefined({ ...state, partition_key: state.userId });
}

function fromDocument(document: FulfilmentDocument): { state: Fulfilment; version: number } {
  const { partition_key: _key, version, ...state } = document;
  return { state, version };
}

export function fulfilmentStore(db: Db): FulfilmentStore {
  const collection = db.collection<FulfilmentDocument>(FULFILMENTS);
  return {
    collection,
    async load(id) {
      const document = await collection.findOne({ _id: id });
      return document ? fromDocument(document).state : null;
    },
    async create(state) {
      try {
        await collection.insertOne(withTraceparent({ ...toDocument(state), version: 1 }));
        return true;
      } catch (error) {
        if (isDuplicateKey(error)) return false;
        throw error;
      }
    },
    execute: deciderCommand<Fulfilment, FulfilmentCommand, FulfilmentEvent, FulfilmentDocument>(collection, {
      decide,
      evolveAll,
      toDocument,
      fromDocument: (document) => fromDocument(document).state,
    }),
  };
}
