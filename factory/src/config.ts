import { Type } from 'typebox';

/** The factory's own variables; main.ts spreads them with `baseConfigProperties` into one schema. */
export const factoryConfigProperties = {
  FACTORY_CAPACITY: Type.Integer({
    minimum: 1,
    default: 5,
    description: 'work items built at the same time',
  }),
  FACTORY_SECONDS_PER_UNIT: Type.Number({
    exclusiveMinimum: 0,
    default: 5,
    description: 'build time of one unit, in seconds (fractions allowed: short in tests)',
  }),
  FACTORY_TICK_MS: Type.Integer({
    minimum: 1,
    default: 250,
    description: 'the shortest pause between two passes of the build scheduler (while events keep arriving)',
  }),
  FACTORY_IDLE_MS: Type.Integer({
    minimum: 1,
    default: 2000,
    description:
      'the longest the build scheduler sleeps when no build ends sooner and no event arrives (crash leftovers, other instances)',
  }),
};

export interface FactoryConfig {
  FACTORY_CAPACITY: number;
  FACTORY_SECONDS_PER_UNIT: number;
  FACTORY_TICK_MS: number;
  /** Equal to FACTORY_TICK_MS: the scheduler passes every tick (what the tests that move their clock need). */
  FACTORY_IDLE_MS: number;
}
