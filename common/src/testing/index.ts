// Helpers for integration tests only (never imported by service code): the dev Mongo server on a
// free port, and polling until a condition holds.
export { eventually } from './eventually';
export { silentLogger, TestClock } from './test-clock';
export { startTestMongo, type TestMongo } from './test-mongo';
