/**
 * Loaded with `--import` into the router child before anything else, as the router service's own
 * `instrumentation.ts` is: the OpenTelemetry loader hook (so express, http and pg are traced) and
 * the SDK without an exporter. The router under test pays for its spans as it does in production.
 */
import { register } from 'node:module';
import { startTelemetry } from '@forge/telemetry/sdk';

register('@opentelemetry/instrumentation/hook.mjs', import.meta.resolve('@forge/telemetry/sdk'));

// No exporter: spans are made and dropped, so there is nothing to flush when the child stops.
startTelemetry({ serviceName: 'forge-router' });
