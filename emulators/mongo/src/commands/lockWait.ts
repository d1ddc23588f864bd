import { numberOf } from '../bsonUtil.js';
import { LockedByTransaction } from '../locks.js';
import type { CommandContext } from './context.js';

/** When the command's maxTimeMS (0 or absent: no limit) runs out, as epoch ms. */
export function commandDeadline(ctx: CommandContext): number | undefined {
  const ms = numberOf(ctx.cmd.maxTimeMS);
  return ms !== undefined && ms > 0 ? Date.now() + ms : undefined;
}

/**
 * A write outside transactions hit a document an open transaction has written (`err`, thrown before the
 * statement changed anything): waits until that transaction commits or aborts, so the caller can run the
 * statement again against the committed state, as mongod does.
 */
export async function waitForLock(
  ctx: CommandContext,
  err: LockedByTransaction,
  deadline: number | undefined,
): Promise<void> {
  // Statements already applied are published now: the change log must stay in seq order while others write.
  await ctx.store.flush();
  await ctx.sessions.locks.waitFor(err.owner, deadline);
}

/** Runs `attempt` (one statement) until it is not blocked by a transaction (see waitForLock). */
export async function retryWhileLocked<T>(
  ctx: CommandContext,
  deadline: number | undefined,
  attempt: () => T,
): Promise<T> {
  for (;;) {
    try {
      return attempt();
    } catch (err) {
      if (!(err instanceof LockedByTransaction)) throw err;
      await waitForLock(ctx, err, deadline);
    }
  }
}
