export { type FactoryConfig, factoryConfigProperties } from './config';
export type { FactoryDeps } from './deps';
export { type FactoryProcessorOptions, registerFactoryProcessors } from './processors';
export * as workItem from './work-item/index';
