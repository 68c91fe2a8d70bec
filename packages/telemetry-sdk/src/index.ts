export { startServiceTelemetry } from './start-service-telemetry.js';
export { startTelemetry, type Telemetry } from './start-telemetry.js';
export {
  loadTelemetryConfig,
  type OtlpProtocol,
  type ServiceIdentity,
  TELEMETRY_ENV_VARIABLES,
  type TelemetryConfig,
  type TraceDetail,
} from './telemetry-config.js';
