export { decide } from './decide';
export { evolve, evolveAll } from './evolve';
export { workItemIds } from './handlers';
export { workItemView } from './queries';
export { buildProgress, byQueueOrder, planBuilds } from './schedule';
export * from './types';
