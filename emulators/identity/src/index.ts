export { DEV_USERS, type DevUser } from './accounts';
export type { SignInLog } from './interactions';
export { createProvider, type ProviderOptions, providerConfiguration } from './provider';
export { type OidcServer, type StartOidcServerOptions, startOidcServer } from './server';
