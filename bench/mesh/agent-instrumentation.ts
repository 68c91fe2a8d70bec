/**
 * Loaded first with `--import` in the mesh bench's agent child, as a service's `instrumentation.ts`
 * is: http, express and pg instrumented, spans made but not exported.
 */
import { startServiceTelemetry } from '@forge/telemetry-sdk';

startServiceTelemetry({}, { serviceName: 'forge-benchmesh' });
