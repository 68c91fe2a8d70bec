/**
 * Loaded with `--import` into the router child before anything else, as the router service's own
 * `instrumentation.ts` is: the OpenTelemetry loader hook (so express, http and pg are traced) and
 * the SDK without an exporter. The router under test pays for its spans as it does in production.
 */
import { register } from 'node:module';
import { startTelemetry } from '@forge/telemetry/sdk';

register('@opentelemetry/instrumentation/hook.mjs', import.meta.resolve('@forge/telemetry/sdk'));

export const telemetry = startTelemetry({ serviceName: 'forge-router' });
