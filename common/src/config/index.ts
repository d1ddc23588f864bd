export { baseConfigProperties } from './base-config';
export { refuseToStartInProduction } from './dev-server';
export {
  ConfigError,
  checkConfig,
  findEnvFile,
  type LoadConfigOptions,
  loadConfig,
  parseConfig,
  readEnvFile,
} from './load-config';
export {
  azureStorageConnectionString,
  type ConfigValues,
  devOnlyValue,
  mongoConnectionString,
  type ProductionRule,
  productionProblems,
  publicHttpsUrls,
  requiredInProduction,
  secrets,
} from './production-rules';
export { isPublishedSecret } from './published-secrets';
export { redactSecrets } from './redact';
export {
  entropyEstimateBits,
  MIN_SECRET_ENTROPY_BITS,
  secretWeakness,
} from './secret-strength';
