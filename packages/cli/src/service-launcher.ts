import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ForgeError } from '@forge/contracts';
import type { Env, LogLevel } from './args.js';
import { serviceDir } from './paths.js';
import type { PlacedService } from './service-table.js';

/**
 * Each service's Postgres pool size. The embedded Postgres accepts a fixed number of
 * connections (`maxConnections`), which must cover every service's pool plus a few spare for
 * the migrations and whoever inspects the database.
 */
export const SERVICE_POOL_MAX = 2;
export const SPARE_CONNECTIONS = 6;

/** The connections the embedded Postgres must accept for `serviceCount` services. */
export function embeddedMaxConnections(serviceCount: number): number {
  return serviceCount * SERVICE_POOL_MAX + SPARE_CONNECTIONS;
}

/** How to run one service: compiled JavaScript, with its OpenTelemetry hook loaded first. */
export interface LaunchSpec {
  readonly command: string;
  readonly args: string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
}

/**
 * `node` arguments that run a built service: `--import dist/instrumentation.js` (the OpenTelemetry
 * hook must load before express and pg) when the service has one, then `dist/main.js`.
 * Throws BAD_CONFIG naming the service when it has not been built.
 */
export function nodeArgs(name: string, root?: string): string[] {
  const dir = serviceDir(name, root);
  const main = join(dir, 'dist', 'main.js');
  if (!existsSync(main)) {
    throw new ForgeError('BAD_CONFIG', `services/${name} is not built (no dist/main.js); run \`pnpm build\``);
  }
  const instrumentation = join(dir, 'dist', 'instrumentation.js');
  return existsSync(instrumentation) ? ['--import', pathToFileURL(instrumentation).href, main] : [main];
}

export interface MeshEnv {
  readonly brain: string;
  readonly natsUrl: string;
  readonly databaseUrl: string;
  readonly apiKeysFile: string;
  readonly logLevel: LogLevel;
}

/**
 * The command line and environment of a service (agent-kit's config variables). The parent's
 * environment is passed through (PATH, model keys, OTEL_EXPORTER_OTLP_ENDPOINT); the mesh's
 * own settings win over it. Throws BAD_CONFIG when the service has not been built.
 */
export function launchSpec(
  service: PlacedService,
  mesh: MeshEnv,
  parentEnv: Env,
  root?: string,
): LaunchSpec {
  const cwd = serviceDir(service.name, root);
  return {
    command: process.execPath,
    args: nodeArgs(service.name, root),
    cwd,
    env: {
      ...parentEnv,
      FORGE_BRAIN: mesh.brain,
      FORGE_HOST: '127.0.0.1',
      FORGE_PORT: String(service.port),
      FORGE_PUBLIC_URL: service.url,
      NATS_URL: mesh.natsUrl,
      DATABASE_URL: mesh.databaseUrl,
      FORGE_PG_POOL_MAX: String(SERVICE_POOL_MAX),
      FORGE_API_KEYS_FILE: mesh.apiKeysFile,
      FORGE_LOG_LEVEL: mesh.logLevel,
    },
  };
}
