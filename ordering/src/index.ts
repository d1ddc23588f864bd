export { type OrderingConfig, orderingConfigProperties } from './config';
export type { OrderingDeps } from './deps';
export * as fulfilment from './fulfilment/index';
export { registerOrderingProcessors } from './processors';
export * as stock from './stock/index';
