export { baseConfigProperties } from './base-config';
export { ConfigError, findEnvFile, loadConfig, parseConfig, readEnvFile } from './load-config';
