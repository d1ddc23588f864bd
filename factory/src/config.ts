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
    description: 'how often the build scheduler looks',
  }),
};

export interface FactoryConfig {
  FACTORY_CAPACITY: number;
  FACTORY_SECONDS_PER_UNIT: number;
  FACTORY_TICK_MS: number;
}
