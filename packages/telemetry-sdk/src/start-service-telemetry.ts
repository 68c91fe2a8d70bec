import { isForgeError } from '@forge/contracts';
import { startTelemetry, type Telemetry } from './start-telemetry.js';
import { loadTelemetryConfig, type ServiceIdentity } from './telemetry-config.js';

/**
 * What a service's `instrumentation.ts` calls: reads the telemetry settings from `env` and starts
 * the SDK. A bad setting is the service's configuration error: one line naming every bad
 * variable on stderr, and exit 1 (before `main` runs, as `main` would for its own settings).
 */
export function startServiceTelemetry(
  env: Readonly<Record<string, string | undefined>>,
  identity: ServiceIdentity,
): Telemetry {
  try {
    return startTelemetry(loadTelemetryConfig(env, identity));
  } catch (error) {
    if (!isForgeError(error, 'BAD_CONFIG')) throw error;
    process.stderr.write(`${identity.serviceName}: ${error.message}\n`);
    process.exit(1);
  }
}
