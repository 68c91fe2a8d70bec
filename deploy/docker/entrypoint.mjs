// The image's entrypoint: runs one Forge service (or the `forge` CLI's migrate) in this process.
//   entrypoint.mjs <service> | migrate [flags] | forge <command> [flags] | --list | --help
// The service comes from the first argument, else FORGE_SERVICE. Its instrumentation.js is
// imported first (it starts OpenTelemetry and registers the ESM loader hook, as `node --import`
// does under forge up), then its main.js. Plain JavaScript: it runs as it is in the image.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const APP = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SERVICES_DIR = join(APP, 'services');
const CLI = join(APP, 'packages', 'cli', 'dist', 'main.js');
const NAME = /^[a-z][a-z0-9-]{0,39}$/;

/** The services built into this image (a folder with dist/main.js). */
function services() {
  if (!existsSync(SERVICES_DIR)) return [];
  return readdirSync(SERVICES_DIR)
    .filter((name) => NAME.test(name) && existsSync(join(SERVICES_DIR, name, 'dist', 'main.js')))
    .sort();
}

const USAGE = () =>
  `usage: entrypoint.mjs <service> | migrate [flags] | forge <command> [flags] | --list
  services in this image: ${services().join(', ') || '(none)'}
  migrate: apply the store migrations to FORGE_BRAIN's schema in DATABASE_URL (forge migrate)`;

const [first = process.env.FORGE_SERVICE ?? '--help', ...rest] = process.argv.slice(2);

if (first === '--help' || first === '-h') {
  process.stdout.write(`${USAGE()}\n`);
} else if (first === '--list') {
  process.stdout.write(`${services().join('\n')}\n`);
} else if (first === 'migrate' || first === 'forge') {
  // The CLI reads process.argv from index 2: make it `forge migrate ...` / `forge ...`.
  process.argv = [process.argv[0], CLI, ...(first === 'migrate' ? ['migrate'] : []), ...rest];
  await import(pathToFileURL(CLI).href);
} else if (NAME.test(first) && services().includes(first)) {
  const dist = join(SERVICES_DIR, first, 'dist');
  process.argv = [process.argv[0], join(dist, 'main.js'), ...rest];
  process.title = `forge-${first}`;
  const instrumentation = join(dist, 'instrumentation.js');
  if (existsSync(instrumentation)) await import(pathToFileURL(instrumentation).href);
  await import(pathToFileURL(join(dist, 'main.js')).href);
} else {
  process.stderr.write(`entrypoint: unknown service '${first}'\n${USAGE()}\n`);
  process.exit(2);
}
