export * from './capacity';
export * from './config';
export * from './http';
export { createShutdown, type Shutdown } from './lifecycle';
export { createLogger, type Logger, type LoggerOptions } from './logger';
export * from './mongo';
export * from './processor';
export * from './reactions';
export * from './schemas';
