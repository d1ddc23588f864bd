import {
  contentionPause,
  FULFILMENTS,
  type FulfilmentDocument,
  isDuplicateKey,
  withoutUndefined,
} from '@az-shop/common';
import type { Collection, Db } from 'mongodb';
import { decide } from './decide';
import { evolveAll } from './evolve';
import {
  type Fulfilment,
  type FulfilmentCommand,
  type FulfilmentEvent,
  isRejection,
  type Rejection,
} from './types';

export interface CommandResult {
  state: Fulfilment | null;
  events: FulfilmentEvent[];
  rejection?: Rejection;
}

export interface FulfilmentStore {
  collection: Collection<FulfilmentDocument>;
  load(id: string): Promise<Fulfilment | null>;
  /** Writes a new fulfilment once; false when it already existed (a repeat). */
  create(state: Fulfilment): Promise<boolean>;
  /** Loads, decides, evolves and writes conditionally on `version`, retrying on contention. */
  execute(id: string, command: FulfilmentCommand, now: () => Date): Promise<CommandResult>;
}

export function toDocument(state: Fulfilment, version: number): FulfilmentDocument {
  return withoutUndefined({ ...state, partition_key: state.userId, version });
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
        await collection.insertOne(toDocument(state, 1));
        return true;
      } catch (error) {
        if (isDuplicateKey(error)) return false;
        throw error;
      }
    },
    async execute(id, command, now) {
      for (let attempt = 1; ; attempt++) {
        const document = await collection.findOne({ _id: id });
        const current = document ? fromDocument(document) : undefined;
        const decision = decide(command, current?.state ?? null, now());
        if (isRejection(decision)) return { state: current?.state ?? null, events: [], rejection: decision };
        if (decision.length === 0) return { state: current?.state ?? null, events: [] };
        const next = evolveAll(current?.state ?? null, decision);
        if (!next) return { state: null, events: [] };
        if (!current) {
          if (await this.create(next)) return { state: next, events: decision };
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
