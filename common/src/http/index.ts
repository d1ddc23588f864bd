export type { AccessLogSettings } from './access-log';
export {
  createServiceApp,
  listenService,
  type ServiceAddresses,
  type ServiceAppOptions,
  type ServiceServerOptions,
} from './create-service-app';
export { type ErrorBody, type ErrorResponse, errorHandlerPlugin, toErrorResponse } from './error-handler';
export { type DetailedError, Errors, withDetails } from './errors';
export { escapeHtml } from './escape-html';
export {
  type HealthExposure,
  type HealthPluginOptions,
  healthPlugin,
  type ReadinessCheck,
  type ReadinessResult,
} from './health-plugin';
export { metricsRegistry } from './metrics';
export { REQUEST_ID_HEADER } from './request-id';
export { type RouteEntry, recordRoutes } from './route-table';
export { type ThrottleRetryOptions, throttleRetryPlugin } from './throttle-retry';
