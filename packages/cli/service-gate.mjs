// The gate `forge up` puts in front of every service it starts (`node --import <instrumentation>
// --import service-gate.mjs dist/main.js`, with an IPC channel). It lets a service load its code
// while NATS and Postgres come up and the migrations run, and lets `main` run only when forge up
// sends `{ type: 'forge:go', env }`: the settings known by then (NATS_URL, DATABASE_URL) join
// process.env first. It is plain JavaScript so it needs no build: tests run the CLI from source.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The file the package holding `main` exports as its entry (a self-reference by name), or null. */
function ownPackageEntry(main) {
  for (let dir = dirname(main); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const { name, exports } = JSON.parse(readFileSync(manifest, 'utf8'));
    return typeof name === 'string' && exports ? createRequire(main).resolve(name) : null;
  }
  return null;
}

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
  // Loading code is most of a service's start-up time (express, the A2A SDK, NATS, pg, the model
  // SDKs): load the service's own package entry now (it has no side effects; an agent's pulls in
  // the kit, the router's its gateway), so main only wires. A service without such an entry, or
  // one that fails to load, is left to main to report.
  try {
    const entry = ownPackageEntry(process.argv[1]);
    if (entry) await import(pathToFileURL(entry).href);
  } catch {}
  const env = await go;
  for (const [key, value] of Object.entries(env)) {
    if (typeof value === 'string') process.env[key] = value;
  }
  // From here the channel only carries 'disconnect'; it must not keep the process alive.
  process.channel?.unref();
}
