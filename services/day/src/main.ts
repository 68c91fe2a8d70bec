import { createLogger } from '@forge/telemetry';
import { loadDayConfig } from './config.js';
import { dayClock } from './day-clock.js';
import { startDayServer } from './day-server.js';

// The process entry: serve the offline day until SIGTERM or SIGINT. It deliberately does without
// agent-kit (and the express, A2A and NATS code under it): `forge up` starts it beside every
// service, and a light start leaves the CPU to the embedded Postgres and the agents.
let config: ReturnType<typeof loadDayConfig>;
try {
  config = loadDayConfig(process.env);
} catch (error) {
  process.stderr.write(`forge-day: bad configuration: ${(error as Error).message}\n`);
  process.exit(1);
}
const logger = createLogger({ name: 'forge-day', level: config.logLevel });
const server = await startDayServer({
  host: config.host,
  port: config.port,
  dir: config.dir,
  timeZone: config.timeZone,
  clock: dayClock(config.clockSpeed, config.clockAnchor, Date.now, config.clockStart),
  logger,
}).catch((error: unknown) => {
  process.stderr.write(`forge-day: cannot start: ${(error as Error).message}\n`);
  process.exit(1);
});
const stop = (signal: string) => {
  logger.info({ signal }, 'offline day stopping');
  void server.close().then(() => process.exit(0));
  setTimeout(() => process.exit(1), 2_000).unref();
};
process.once('SIGTERM', () => stop('SIGTERM'));
process.once('SIGINT', () => stop('SIGINT'));
