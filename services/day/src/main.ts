import { runServiceProcess } from '@forge/agent-kit';
import { createLogger } from '@forge/telemetry';
import { loadDayConfig } from './config.js';
import { dayClock } from './day-clock.js';
import { type DayServer, startDayServer } from './day-server.js';

// The process entry: serve the offline day until SIGTERM.
await runServiceProcess({
  name: 'forge-day',
  loadConfig: () => loadDayConfig(process.env),
  create: (config) => {
    let server: DayServer | undefined;
    return {
      async start() {
        server = await startDayServer({
          host: config.host,
          port: config.port,
          dir: config.dir,
          timeZone: config.timeZone,
          clock: dayClock(config.clockSpeed, config.clockAnchor),
          logger: createLogger({ name: 'forge-day', level: config.logLevel }),
        });
      },
      async stop() {
        await server?.close();
      },
    };
  },
  shutdownGraceMs: () => 2_000,
});
