import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

export interface LoggerOptions {
  NODE_ENV?: string;
  LOG_LEVEL?: string;
}

/**
 * One pino logger per process, named after the service. Pretty in development (pino-pretty as a
 * plain stream, not a worker transport, so it survives esbuild bundling); JSON lines otherwise.
 */
export function createLogger(service: string, options: LoggerOptions = {}): Logger {
  const base = { name: service, level: options.LOG_LEVEL ?? 'info' };
  if (options.NODE_ENV === 'development') {
    return pino(base, pretty({ colorize: process.stdout.isTTY, ignore: 'pid,hostname', sync: true }));
  }
  return pino(base);
}
