import { startServiceTelemetry } from '@forge/telemetry-sdk';

/**
 * Loaded first with `--import` in the agent child, as a service's `instrumentation.ts` is:
 * http, express and pg instrumented, spans made but not exported.
 */
export const telemetry = startServiceTelemetry({}, { serviceName: 'forge-bench-agent' });
