// Helpers for integration tests and benchmarks only (never imported by service code): the dev Mongo
// server on a free port, polling until a condition holds, a process's CPU time, a service's
// processors in a process of their own.
export { eventually } from './eventually';
export { intercepted } from './intercepted-db';
export { processCpuMs } from './process-cpu';
export { runServiceProcess, SERVICES_APP } from './service-process';
export { silentLogger, TestClock } from './test-clock';
export { startTestMongo, type TestMongo, type TestMongoOptions } from './test-mongo';
export { throttledCount, throttledRefusal } from './throttling';
export { type ReadableSpan, startTestTracing, type TestTracing } from './tracing';
