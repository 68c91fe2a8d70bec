export { untilAborted } from './abortable.js';
export { ApiKeyStore, ApiKeysFile, hashApiKey } from './api-keys.js';
export { closeHttpServer } from './close-http.js';
export {
  BodyLimit,
  emptyAsUnset,
  intFromEnv,
  LOG_LEVELS,
  LogLevel,
  OptionalHttpUrl,
  OptionalText,
  optionalIntFromEnv,
  PostgresUrl,
  parseEnv,
} from './env-fields.js';
export { hostForUrl } from './host-url.js';
export { boundedJsonBody, type JsonBodyOptions } from './json-body.js';
export { type LinkedSignal, linkedSignal } from './linked-signal.js';
export { hashPassword, PasswordHash } from './password-hash.js';
export { checkReadiness, type Readiness, type ReadinessProbe } from './readiness.js';
export { runServiceProcess, type ServiceLifecycle, type ServiceProcess } from './service-process.js';
