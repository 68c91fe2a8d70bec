import type { RoutingConfig } from '@forge/policy';
import type { UpOptions } from './args.js';
import { rssMb } from './child-process.js';
import { CONSOLE_OPERATOR } from './console-secret.js';
import type { MeshFile } from './mesh-file.js';
import type { ModelProviders } from './model-providers.js';
import { type NatsHandle, redactNatsUrl } from './nats.js';
import type { BrainPaths } from './paths.js';
import { type PostgresHandle, redactPostgresUrl } from './postgres.js';
import { CONSOLE, type PlacedService, ROUTER } from './service-table.js';
import type { SupervisedProcess } from './supervised-process.js';
import type { UpReport } from './up-report.js';

/** What a running `forge up` knows about its mesh, for its report and its mesh file. */
export interface MeshState {
  readonly options: UpOptions;
  readonly paths: BrainPaths;
  readonly nats: NatsHandle;
  readonly postgres: PostgresHandle;
  readonly services: readonly PlacedService[];
  /** The supervised processes, in the order of `services`. */
  readonly procs: readonly SupervisedProcess[];
  readonly routing: RoutingConfig;
  readonly providers: ModelProviders;
}

/** The report `forge up` prints once every service is ready: endpoints, pids, RSS, the time it took. */
export async function buildUpReport(
  mesh: MeshState,
  schema: string,
  elapsedMs: number,
  firstLoginSecret: string | null = null,
): Promise<UpReport> {
  const { options, paths, nats, postgres, services, procs } = mesh;
  const pgPid = postgres.pid;
  const router = services.find((service) => service.name === ROUTER);
  const routerUrl = router?.url ?? '';
  const consoleService = services.find((service) => service.name === CONSOLE);
  return {
    event: 'ready',
    brain: options.brain,
    elapsedMs,
    stateDir: options.stateDir,
    operatorKeyFile: paths.operatorKey,
    apiKeysFile: paths.apiKeys,
    nats: {
      url: redactNatsUrl(nats.url),
      startedByForge: nats.startedByForge,
      version: nats.info.version,
      pid: nats.pid,
    },
    postgres: {
      url: redactPostgresUrl(postgres.url),
      embedded: postgres.embedded,
      schema,
      pid: pgPid,
      rssMb: pgPid === null ? null : await rssMb(pgPid),
    },
    router: {
      url: routerUrl,
      chatCompletions: `${routerUrl}/v1/chat/completions`,
      routingConfig: options.routingConfig,
      policyVersion: mesh.routing.version,
      offline: mesh.providers.offline,
      providers: mesh.providers.available,
      keyVariables: mesh.providers.keyVariables,
    },
    console: consoleService
      ? {
          url: consoleService.url,
          operator: CONSOLE_OPERATOR,
          passwordFile: paths.consolePassword,
          firstLoginSecret,
        }
      : null,
    services: await Promise.all(
      services.map(async (service, index) => {
        const pid = procs[index]?.pid ?? null;
        return { ...service, pid, rssMb: pid === null ? null : await rssMb(pid) };
      }),
    ),
  };
}

/** What `mesh.json` says about the running mesh: credentials masked, the current pids. */
export function meshSnapshot(mesh: MeshState): MeshFile {
  const { options, paths, nats, postgres, services, procs } = mesh;
  return {
    v: 1,
    brain: options.brain,
    pid: process.pid,
    startedAt: new Date().toISOString(),
    nats: { url: redactNatsUrl(nats.url), startedByForge: nats.startedByForge, pid: nats.pid },
    postgres: {
      url: redactPostgresUrl(postgres.url),
      embedded: postgres.embedded,
      pid: postgres.pid,
      dataDir: postgres.dataDir,
    },
    operatorKeyFile: paths.operatorKey,
    routingConfig: options.routingConfig,
    providers: mesh.providers.available,
    services: services.map((service, index) => ({ ...service, pid: procs[index]?.pid ?? null })),
  };
}
