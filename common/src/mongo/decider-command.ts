import type { Collection } from 'mongodb';
import { type Decision, isRejection, type Rejection } from '../decider';
import { changeVersioned, type VersionedDocument } from './versioned-write';

/** What running one command did: the state after it, the events it decided, or why it was refused. */
export interface CommandResult<S, E> {
  state: S | null;
  events: E[];
  rejection?: Rejection;
}

/** A decider and how its state is stored in a document. */
export interface StoredDecider<S, C, E, TDoc extends VersionedDocument> {
  decide(command: C, state: S | null, now: Date): Decision<E>;
  evolveAll(state: S | null, events: E[]): S | null;
  toDocument(state: S): Omit<TDoc, 'version'>;
  fromDocument(document: TDoc): S;
}

/**
 * Load, decide, evolve, write conditionally on `version`, retry on contention: the I/O half of a
 * decider (the pure half is `decide`/`evolve`). Returns a function running one command on one document.
 */
export function deciderCommand<S, C, E, TDoc extends VersionedDocument>(
  collection: Collection<TDoc>,
  decider: StoredDecider<S, C, E, TDoc>,
) {
  return (id: string, command: C, now: () => Date): Promise<CommandResult<S, E>> =>
    changeVersioned<TDoc, CommandResult<S, E>>(collection, id, (document) => {
      const state = document ? decider.fromDocument(document) : null;
      const decision = decider.decide(command, state, now());
      if (isRejection(decision)) return { result: { state, events: [], rejection: decision } };
      if (decision.length === 0) return { result: { state, events: [] } };
      const next = decider.evolveAll(state, decision);
      if (!next) return { result: { state: null, events: [] } };
      return { result: { state: next, events: decision }, next: decider.toDocument(next) };
    });
}
