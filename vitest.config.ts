import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Specs that measure time under load (leases lapsing, lag rising, kill -9 and hand-over): they run
// last, one at a time, so other files do not take the cores they time themselves against.
const timingSensitive = [
  // Starts a whole pm2 stack of its own in a copy of the checkout, and counts its restarts.
  '**/dev-loop/*.int.spec.ts',
  '**/crash.int.spec.ts',
  '**/colour-handover.int.spec.ts',
  '**/leases.int.spec.ts',
  '**/lease-fencing.int.spec.ts',
  '**/lag.int.spec.ts',
];
const ignored = ['**/node_modules/**', '**/dist/**'];
// Most integration specs wait on servers, timers and child processes more than they compute: at
// least two at a time, even on two cores (vitest's default is one fewer than the cores).
const parallelWorkers = Math.max(2, availableParallelism() - 1);

// Unit specs are pure and fast; integration specs start real servers (dev Mongo, Azurite, OIDC)
// on free ports, so they get longer timeouts and run in forked processes.
const integration = { pool: 'forks' as const, testTimeout: 60_000, hookTimeout: 60_000 };

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['**/*.unit.spec.ts'],
          exclude: ignored,
          maxWorkers: parallelWorkers,
        },
      },
      {
        test: {
          name: 'int',
          include: ['**/*.int.spec.ts'],
          exclude: [...ignored, ...timingSensitive],
          maxWorkers: parallelWorkers,
          ...integration,
        },
      },
      {
        test: {
          name: 'int-serial',
          include: timingSensitive,
          exclude: ignored,
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
          ...integration,
        },
      },
    ],
  },
});
