import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ForgeError } from '@forge/contracts';
import type { Env, LogLevel } from './args.js';
import { serviceDir } from './paths.js';
import { CONSOLE, DAY, GATEWAY, type PlacedService, ROUTER, SCHEDULER } from './service-table.js';

/** Connections beyond the services' pools: the migrations, `psql`, a test's own check. */
export const SPARE_CONNECTIONS = 6;

/**
 * `max_connections` of the embedded Postgres: every service's whole pool (agent-kit and the router
 * size it as the task concurrency plus 6), twice over so a pool refilling after a restart never
 * meets "too many clients" while the old connections are still being torn down, plus spares;
 * never below Postgres's own default of 100.
 */
export function embeddedMaxConnections(serviceCount: number, concurrency: number): number {
  return Math.max(100, 2 * serviceCount * (concurrency + 6) + SPARE_CONNECTIONS);
}

/** How to run one service: compiled JavaScript, with its OpenTelemetry hook loaded first. */
export interface LaunchSpec {
  readonly command: string;
  readonly args: string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
}

/**
 * V8 flags for every service. A 1 MB young generation and a 512 MB old-space ceiling make V8
 * grow its heap lazily: measured here, a service sits near 112 MB RSS with them and near
 * 160 MB without (the default heap limit follows the machine's memory, not the service's need).
 */
export const SERVICE_NODE_FLAGS = ['--max-semi-space-size=1', '--max-old-space-size=512'] as const;

/** The gate every service starts behind (plain JavaScript beside package.json, no build needed). */
export const SERVICE_GATE = pathToFileURL(
  resolve(dirname(fileURLToPath(import.meta.url)), '..', 'service-gate.mjs'),
).href;

/**
 * `node` arguments that run a built service: the V8 flags, `--import dist/instrumentation.js`
 * (the OpenTelemetry hook must load before express and pg) when the service has one, the gate
 * (which holds `main` until `forge up` sends `forge:go`), then `dist/main.js`.
 * Throws BAD_CONFIG naming the service when it has not been built.
 */
export function nodeArgs(name: string, root?: string): string[] {
  const dir = serviceDir(name, root);
  const main = join(dir, 'dist', 'main.js');
  if (!existsSync(main)) {
    throw new ForgeError('BAD_CONFIG', `services/${name} is not built (no dist/main.js); run \`pnpm build\``);
  }
  const instrumentation = join(dir, 'dist', 'instrumentation.js');
  const hook = existsSync(instrumentation) ? ['--import', pathToFileURL(instrumentation).href] : [];
  return [...SERVICE_NODE_FLAGS, ...hook, '--import', SERVICE_GATE, main];
}

/** What every service of the mesh is told at spawn. */
export interface MeshEnv {
  readonly brain: string;
  readonly apiKeysFile: string;
  readonly logLevel: LogLevel;
  readonly concurrency: number;
  /** The routing config file the router runs with (absolute). */
  readonly routingConfig: string;
  /** The offline day's loopback URL (`FORGE_DAY_URL`): the default feeds and sensor schedules use it. */
  readonly dayUrl?: string;
  /**
   * `forge up --fast`: the scheduler and the day server run this clock: its speed, and the
   * virtual instant it starts at. Its real anchor comes with the agents' `forge:go`
   * (FORGE_CLOCK_ANCHOR, `fastClockAnchorEnv`), so the day starts when the mesh is up.
   */
  readonly fastClock?: { readonly speed: number; readonly start: string };
  /** OTLP/HTTP endpoint for every service's traces and metrics; unset leaves the parent's setting. */
  readonly otlpEndpoint?: string | undefined;
  /** The console's password hash file (FORGE_CONSOLE_PASSWORD_HASH_FILE). */
  readonly consolePasswordHashFile?: string;
  /** The providers the router reaches (names), for the console's route explanations. */
  readonly providers?: readonly string[];
  /** The gateway's settings, for a brain with a federation config. */
  readonly federation?: GatewayEnv;
}

/** What the gateway is told besides the mesh's settings (see services/gateway/README.md). */
export interface GatewayEnv {
  /** The federation config (absolute). */
  readonly config: string;
  readonly publicPort: number;
  readonly publicUrl: string;
  /** `<agent>=<url>` for every agent of the brain. */
  readonly agentUrls: string;
  readonly keyFile: string;
  /** The brain's federation folder (signing keys) and the local brains' secret exchange. */
  readonly stateDir: string;
  readonly exchangeDir: string;
  /** Gateway URLs of the other local brains, by name: FORGE_PARTNER_<NAME>_URL. */
  readonly partners: Readonly<Record<string, string>>;
}

function gatewayEnv(g: GatewayEnv): Record<string, string> {
  return {
    FORGE_FEDERATION_CONFIG: g.config,
    FORGE_GATEWAY_PORT: String(g.publicPort),
    FORGE_GATEWAY_PUBLIC_URL: g.publicUrl,
    FORGE_AGENT_URLS: g.agentUrls,
    FORGE_GATEWAY_KEY_FILE: g.keyFile,
    FORGE_FEDERATION_STATE: g.stateDir,
    FORGE_FEDERATION_EXCHANGE: g.exchangeDir,
    ...Object.fromEntries(
      Object.entries(g.partners).map(([name, url]) => [`FORGE_PARTNER_${name.toUpperCase()}_URL`, url]),
    ),
  };
}

/** The settings a service gets only when its gate opens. */
const RELEASED = new Set(['NATS_URL', 'DATABASE_URL']);

/**
 * A fast day's real anchor, told to the agents (the scheduler and the day server read it) when
 * their gate opens: the day's first virtual minute is the one the mesh is released at.
 */
export function fastClockAnchorEnv(now: Date): Record<string, string> {
  return { FORGE_CLOCK_ANCHOR: now.toISOString() };
}

/** What a service is told when the gate opens, once NATS and Postgres are known and migrated. */
export function releaseEnv(natsUrl: string, databaseUrl: string): Record<string, string> {
  return { NATS_URL: natsUrl, DATABASE_URL: databaseUrl };
}

/**
 * What only some services are told: the gateway its federation settings, the router its
 * routing config, and the console that config, the providers the router reaches and its password hash file; agents need nothing
 * of their own (they always dispatch through the router); every other service learns where
 * the offline day is (`FORGE_DAY_URL`), and with `--fast` the scheduler and the day server share
 * the fast clock.
 */
function roleEnv(service: PlacedService, mesh: MeshEnv): Record<string, string> {
  const day: Record<string, string> = mesh.dayUrl ? { FORGE_DAY_URL: mesh.dayUrl } : {};
  const clock: Record<string, string> =
    mesh.fastClock && (service.name === SCHEDULER || service.name === DAY)
      ? {
          FORGE_CLOCK_SPEED: String(mesh.fastClock.speed),
          FORGE_CLOCK_START: mesh.fastClock.start,
        }
      : {};
  if (service.name === GATEWAY && mesh.federation) return gatewayEnv(mesh.federation);
  if (service.name === ROUTER) return { FORGE_ROUTING_CONFIG: mesh.routingConfig };
  if (service.name === CONSOLE) {
    return {
      ...day,
      FORGE_ROUTING_CONFIG: mesh.routingConfig,
      FORGE_MODEL_PROVIDERS: (mesh.providers ?? []).join(','),
      ...(mesh.consolePasswordHashFile
        ? { FORGE_CONSOLE_PASSWORD_HASH_FILE: mesh.consolePasswordHashFile }
        : {}),
    };
  }
  return { ...day, ...clock };
}

/**
 * The command line and environment of a service (agent-kit's and the router's config variables;
 * NATS_URL and DATABASE_URL come later, with the gate's `forge:go`). The parent's environment is
 * passed through (PATH, model keys and base URLs, OTEL_EXPORTER_OTLP_ENDPOINT) except those two,
 * which would be wrong until then; the mesh's own settings win over it. Throws BAD_CONFIG when
 * the service has not been built.
 */
export function launchSpec(service: PlacedService, mesh: MeshEnv, parentEnv: Env, root?: string): LaunchSpec {
  const cwd = serviceDir(service.name, root);
  return {
    command: process.execPath,
    args: nodeArgs(service.name, root),
    cwd,
    env: {
      ...Object.fromEntries(Object.entries(parentEnv).filter(([key]) => !RELEASED.has(key))),
      FORGE_BRAIN: mesh.brain,
      FORGE_HOST: '127.0.0.1',
      FORGE_PORT: String(service.port),
      FORGE_PUBLIC_URL: service.url,
      FORGE_CONCURRENCY: String(mesh.concurrency),
      FORGE_API_KEYS_FILE: mesh.apiKeysFile,
      FORGE_LOG_LEVEL: mesh.logLevel,
      ...(mesh.otlpEndpoint ? { OTEL_EXPORTER_OTLP_ENDPOINT: mesh.otlpEndpoint } : {}),
      ...roleEnv(service, mesh),
    },
  };
}
