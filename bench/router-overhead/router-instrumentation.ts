/**
 * Loaded with `--import` into the router child before anything else, as the router service's own
 * `instrumentation.ts` is: `startTelemetry` registers the OpenTelemetry loader hook (so express,
 * http and pg are traced) and starts the SDK, here without an exporter (spans are made and
 * dropped, so there is nothing to flush when the child stops). The router under test pays for its
 * spans as it does in production.
 */
import { startServiceTelemetry } from '@forge/telemetry-sdk';

startServiceTelemetry({}, { serviceName: 'forge-router' });
