export { type FactoryConfig, factoryConfigProperties } from './config';
export type { FactoryDeps } from './deps';
export { registerFactoryProcessors } from './processors';
export * as workItem from './work-item/index';
