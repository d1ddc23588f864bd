import { keyOf } from './bsonUtil.js';
import { MongoServerError } from './errors.js';

/** An open transaction as far as its document locks are concerned. */
export interface LockOwner {
  /** Resolves when the owner commits or aborts (its locks are gone by then). */
  readonly released: Promise<void>;
}

/**
 * Thrown by a non-transactional write (before it changes anything) that targets a document an open
 * transaction has written. The command waits for the owner to end and then runs the statement again.
 */
export class LockedByTransaction extends Error {
  constructor(readonly owner: LockOwner) {
    super('document locked by an open transaction');
  }
}

export function lockKey(ns: string, id: unknown): string {
  return `${ns}\u0000${keyOf(id)}`;
}

/**
 * Documents written by open transactions (namespace + _id → transaction), and the unique-index keys they
 * added (uniqueKeys.ts). Another transaction writing one gets WriteConflict; a write outside any transaction
 * waits until the owner commits or aborts, like mongod (which retries such a write on its write conflicts
 * until the transaction is gone).
 */
export class DocumentLocks {
  private readonly held = new Map<string, LockOwner>();
  private readonly keys = new Map<string, LockOwner>();
  private stopping = false;

  get any(): boolean {
    return this.held.size > 0 || this.keys.size > 0;
  }

  keyOwner(lock: string): LockOwner | undefined {
    return this.keys.get(lock);
  }

  setKeys(locks: Iterable<string>, owner: LockOwner): void {
    for (const k of locks) this.keys.set(k, owner);
  }

  releaseKeys(locks: Iterable<string>, owner: LockOwner): void {
    for (const k of locks) if (this.keys.get(k) === owner) this.keys.delete(k);
  }

  /** For a write outside transactions: throws LockedByTransaction if an open transaction added one of the keys. */
  checkKeys(locks: Iterable<string>): void {
    if (this.keys.size === 0) return;
    for (const k of locks) {
      const owner = this.keys.get(k);
      if (owner) throw new LockedByTransaction(owner);
    }
  }

  owner(key: string): LockOwner | undefined {
    return this.held.get(key);
  }

  set(key: string, owner: LockOwner): void {
    this.held.set(key, owner);
  }

  release(keys: Iterable<string>, owner: LockOwner): void {
    for (const k of keys) if (this.held.get(k) === owner) this.held.delete(k);
  }

  /** For a write outside transactions: throws LockedByTransaction if one of the documents is locked. */
  check(ns: string, ids: Iterable<unknown>): void {
    if (this.held.size === 0) return;
    for (const id of ids) {
      const owner = this.held.get(lockKey(ns, id));
      if (owner) throw new LockedByTransaction(owner);
    }
  }

  /**
   * Waits for `owner` to end, until `deadline` (epoch ms, from the command's maxTimeMS) at most: past it the
   * command fails with MaxTimeMSExpired (50) like mongod's. At server stop every transaction is aborted,
   * which wakes the waiters, and they fail with InterruptedAtShutdown (91) instead of writing.
   */
  async waitFor(owner: LockOwner, deadline: number | undefined): Promise<void> {
    const expired = this.stopping ? false : await releasedOrExpired(owner, deadline);
    if (this.stopping) throw new MongoServerError('InterruptedAtShutdown', 'interrupted at shutdown');
    if (expired) throw new MongoServerError('MaxTimeMSExpired', 'operation exceeded time limit');
  }

  /** Server stop: waiters woken from now on give up (see waitFor). */
  stop(): void {
    this.stopping = true;
  }
}

/** True if `deadline` passed before `owner` ended. */
async function releasedOrExpired(owner: LockOwner, deadline: number | undefined): Promise<boolean> {
  if (deadline === undefined) {
    await owner.released;
    return false;
  }
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<boolean>((resolve) => {
    // Clamped: Node fires timeouts beyond 2^31-1 ms at once.
    timer = setTimeout(() => resolve(true), Math.min(Math.max(0, deadline - Date.now()), 2 ** 31 - 1));
  });
  try {
    return await Promise.race([owner.released.then(() => false), expiry]);
  } finally {
    clearTimeout(timer);
  }
}
