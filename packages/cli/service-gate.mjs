// The gate `forge up` puts in front of every service it starts (`node --import <instrumentation>
// --import service-gate.mjs dist/main.js`, with an IPC channel). It lets a service load its code
// while NATS and Postgres come up and the migrations run, and lets `main` run only when forge up
// sends `{ type: 'forge:go', env }`: the settings known by then (NATS_URL, DATABASE_URL) join
// process.env first. It is plain JavaScript so it needs no build: tests run the CLI from source.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

if (typeof process.send === 'function') {
  // forge up went away, even by SIGKILL: stop as on SIGTERM, so no service outlives it.
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  const go = new Promise((resolve) => {
    const onMessage = (message) => {
      if (message === null || typeof message !== 'object' || message.type !== 'forge:go') return;
      process.off('message', onMessage);
      resolve(message.env ?? {});
    };
    process.on('message', onMessage);
  });
  // The kit is most of a service's start-up time (express, the A2A SDK, NATS, pg, OpenTelemetry):
  // load it now. A service without it, or a kit that fails to load, is left to main to report.
  try {
    const kit = createRequire(process.argv[1]).resolve('@forge/agent-kit');
    await import(pathToFileURL(kit).href);
  } catch {}
  const env = await go;
  for (const [key, value] of Object.entries(env)) {
    if (typeof value === 'string') process.env[key] = value;
  }
  // From here the channel only carries 'disconnect'; it must not keep the process alive.
  process.channel?.unref();
}
