import { telemetry } from './instrumentation.js';
import { runRouter } from './run-router.js';

// The process entry: config from the environment, wire, serve; SIGHUP reloads, SIGTERM stops.
await runRouter(process.env, { telemetry });
