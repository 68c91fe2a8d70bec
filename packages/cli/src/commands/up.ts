import { performance } from 'node:perf_hooks';
import { ForgeError } from '@forge/contracts';
import { loadRoutingConfigFile } from '@forge/policy';
import { ensureOperatorKey } from '../api-keys.js';
import { FAST_DAY_SPEED, type UpOptions } from '../args.js';
import { ensureConsolePassword } from '../console-secret.js';
import { FAST_DAY_TIME_ZONE, fastDayStart } from '../fast-day.js';
import { ensureFederationFiles } from '../federation-files.js';
import type { Io } from '../io.js';
import { stopLeftovers } from '../leftovers.js';
import { formatLine } from '../log-format.js';
import { removeMeshFile, writeMeshFile } from '../mesh-file.js';
import { buildUpReport, type MeshState, meshSnapshot } from '../mesh-snapshot.js';
import { modelProviders } from '../model-providers.js';
import { ensureNats, type NatsHandle, redactNatsUrl } from '../nats.js';
import { type BrainPaths, brainPaths, natsDir } from '../paths.js';
import { busyPorts } from '../ports.js';
import {
  externalPostgres,
  migrateBrain,
  type PostgresHandle,
  preloadStore,
  redactPostgresUrl,
  startEmbeddedPostgres,
} from '../postgres.js';
import { waitForAllReady } from '../probes.js';
import { DEFAULT_RESTART_POLICY } from '../restart-policy.js';
import {
  embeddedMaxConnections,
  fastClockAnchorEnv,
  type GatewayEnv,
  launchSpec,
  type MeshEnv,
  nodeArgs,
  releaseEnv,
} from '../service-launcher.js';
import {
  DAY,
  GATEWAY,
  GATEWAY_PUBLIC_OFFSET,
  type PlacedService,
  placeServices,
  ROUTER,
} from '../service-table.js';
import { SupervisedProcess, type SupervisorHooks } from '../supervised-process.js';
import { formatSupervisorEvent, formatUpReport, offlineWarning, type UpReport } from '../up-report.js';

/** How long each service gets to finish its work after SIGTERM before it is killed. */
const SERVICE_GRACE_MS = 10_000;
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
/** What forge up may start besides the services; the mesh cannot run once one of them gives up. */
const BACKENDS = new Set(['postgres', 'nats']);

/** What a test may put in place of the process's own: the repository root and a stop signal. */
export interface UpHooks {
  /** Where `services/<name>/dist` is found; the repository by default. */
  readonly root?: string;
  /** Stops the mesh like SIGTERM does. */
  readonly stop?: AbortSignal;
  /** Called with the report once every service is ready. */
  readonly onReady?: (report: UpReport) => void;
}

/**
 * `forge up`: NATS; every service as its own supervised process, held at its gate while it
 * loads its code and Postgres starts and is migrated; then the router runs, and once its /readyz
 * answers the agents run (each dispatches its tasks through the router, so none takes a call that
 * nothing would route); then every /readyz is polled. Resolves with the exit code once the mesh
 * has stopped after SIGINT/SIGTERM/SIGHUP (0), or throws a ForgeError (after stopping whatever it
 * started) when the mesh cannot come up, the routing config first among them.
 */
export async function runUp(options: UpOptions, io: Io, hooks: UpHooks = {}): Promise<number> {
  const startedAt = performance.now();
  const paths = brainPaths(options.stateDir, options.brain);
  const federation = options.federationConfig !== undefined;
  const services = placeServices(options.portBase, '127.0.0.1', federation);
  const gatewayPublicPort = options.portBase + GATEWAY_PUBLIC_OFFSET;
  const embedded = options.databaseUrl === undefined;
  // With --json, stdout carries only JSON events; logs and notes go to stderr.
  const note = options.json ? io.err : io.out;
  const event = (value: Record<string, unknown>) => io.out(JSON.stringify(value));
  const format = {
    color: io.stdoutIsTty && !options.json,
    jsonLogs: options.jsonLogs,
    width: Math.max(8, ...services.map((service) => service.name.length)),
  };
  const onLine = (name: string, line: string, stream: 'stdout' | 'stderr') =>
    note(formatLine(name, line, stream, format));
  /** forge up's own progress, shown like a service's log line under the name `forge`. */
  const say = (text: string) => onLine('forge', text, 'stdout');

  // Preflight: fail before starting anything when a service is not built, the routing config is
  // invalid (the router would only crash on it, over and over), or a port is taken.
  for (const service of services) nodeArgs(service.name, hooks.root);
  const routing = await loadRoutingConfigFile(options.routingConfig);
  const providers = modelProviders(routing, io.env);
  if (providers.offline) say(offlineWarning(providers.keyVariables));
  else say(`model providers: ${providers.available.join(', ')}`);
  const leftovers = await stopLeftovers(paths.mesh, natsDir(options.stateDir));
  if (leftovers.length > 0) say(`stopped ${leftovers.join(', ')}, left running by a forge up that died`);
  const wanted = [
    ...services,
    ...(embedded ? [{ name: 'postgres', port: options.pgPort }] : []),
    ...(federation ? [{ name: 'gateway (public)', port: gatewayPublicPort }] : []),
  ];
  const busy = await busyPorts(wanted);
  if (busy.length > 0) {
    const list = busy.map((entry) => `${entry.port} (${entry.name})`).join(', ');
    throw new ForgeError(
      'UNAVAILABLE',
      `port ${list} already in use; is another forge up running? pick another range with --port-base`,
    );
  }

  const stop = new AbortController();
  /** Set when the mesh must stop because NATS or Postgres, which forge up started, kept crashing. */
  let backendGaveUp: string | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stop.signal.aborted) return say(`already stopping (${signal} again)`);
    if (options.json) event({ event: 'stopping', signal });
    else say(`${signal}: stopping every service`);
    stop.abort();
  };
  // SIGHUP: the terminal went away; stop as for Ctrl-C rather than orphan the services.
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  const onStopHook = () => onSignal('SIGTERM');
  hooks.stop?.addEventListener('abort', onStopHook, { once: true });

  let nats: NatsHandle | null = null;
  let postgres: PostgresHandle | null = null;
  /** The Postgres being started, so a failure meanwhile still stops it. */
  let starting: Promise<PostgresHandle> | null = null;
  const procs: SupervisedProcess[] = [];
  let meshWritten = false;
  const shutdown = async () => {
    const began = performance.now();
    await Promise.all(procs.map((proc) => proc.stop(SERVICE_GRACE_MS)));
    postgres ??= (await starting?.catch(() => null)) ?? null;
    await postgres?.stop();
    await nats?.stop();
    if (meshWritten) await removeMeshFile(paths.mesh);
    return Math.round(performance.now() - began);
  };

  let saveMesh = async () => {};
  /**
   * One supervisor for every process forge up starts (services, and NATS and Postgres when it
   * starts them): the same restart policy and the same lines. NATS or Postgres that keeps crashing
   * stops the whole mesh, which cannot work without it.
   */
  const supervisor: SupervisorHooks = {
    policy: DEFAULT_RESTART_POLICY,
    onLine,
    onEvent: (change) => {
      const line = formatSupervisorEvent(change, options.json);
      if (line) (options.json ? io.out : say)(line);
      if (change.kind === 'started' && change.restarts > 0) void saveMesh();
      if (change.kind === 'gave-up' && BACKENDS.has(change.name) && !stop.signal.aborted) {
        backendGaveUp = change.name;
        say(`${change.name} keeps crashing: stopping every service`);
        stop.abort();
      }
    },
  };

  try {
    // Loads while NATS and Postgres come up; a load error surfaces at the migration step.
    preloadStore().catch(() => {});
    await ensureOperatorKey(paths);
    const consoleSecret = await ensureConsolePassword(paths);
    const gateway = options.federationConfig
      ? await gatewaySettings(options, paths, services, gatewayPublicPort, options.federationConfig)
      : undefined;
    if (gateway)
      say(`gateway: partners reach this brain at ${gateway.publicUrl} (${options.federationConfig})`);

    // NATS first: it answers (or fails) in milliseconds.
    const bus = await ensureNats({
      natsUrl: options.natsUrl,
      dataDir: natsDir(options.stateDir),
      env: io.env,
      supervisor,
    });
    nats = bus;
    say(
      `NATS ${redactNatsUrl(bus.url)} (${bus.startedByForge ? 'started' : 'running'}, v${bus.info.version})`,
    );
    // A DATABASE_URL answers (or fails) at once too; only then start anything heavy. The
    // embedded Postgres starts before the services, so its start (the longest step) leads.
    const external = embedded ? null : await externalPostgres(options.databaseUrl!);
    const pgStartedAt = performance.now();
    starting =
      external === null
        ? startEmbeddedPostgres({
            stateDir: options.stateDir,
            dataDir: paths.pgdata,
            port: options.pgPort,
            maxConnections: embeddedMaxConnections(services.length, options.concurrency),
            quiet: !['trace', 'debug', 'info'].includes(options.logLevel),
            say,
            timeoutMs: options.readyTimeoutMs,
            supervisor,
          })
        : Promise.resolve(external);
    // Awaited below; this only keeps a failure meanwhile from being an unhandled rejection.
    starting.catch(() => {});

    // The services start now and load their code while Postgres starts and migrates; their gate
    // holds them until then (a service never runs against an old schema), and the agents' gate
    // until the router is ready.
    if (options.otlpEndpoint) say(`traces and metrics export over OTLP to ${options.otlpEndpoint}`);
    const routerGate = gate();
    const agentsGate = gate();
    const meshEnv = {
      brain: options.brain,
      apiKeysFile: paths.apiKeys,
      logLevel: options.logLevel,
      concurrency: options.concurrency,
      routingConfig: options.routingConfig,
      ...dayEnv(services, options.fast, io.env),
      otlpEndpoint: options.otlpEndpoint,
      consolePasswordHashFile: paths.consolePasswordHash,
      providers: providers.available,
      ...(gateway ? { federation: gateway } : {}),
    };
    if (meshEnv.fastClock)
      say(
        `fast day: the scheduler and the offline day run ${FAST_DAY_SPEED}x the wall clock, from ${meshEnv.fastClock.start} (06:00 today)`,
      );
    for (const service of services) {
      const proc = new SupervisedProcess({
        name: service.name,
        ...launchSpec(service, meshEnv, io.env, hooks.root),
        release: service.name === ROUTER ? routerGate.opened : agentsGate.opened,
        ...supervisor,
      });
      procs.push(proc);
      proc.start();
    }

    const db = await starting;
    postgres = db;
    const pgTook = ((performance.now() - pgStartedAt) / 1000).toFixed(1);
    say(
      `Postgres ${db.embedded ? 'embedded' : 'DATABASE_URL'} ${redactPostgresUrl(db.url)} ready in ${pgTook}s`,
    );
    const { schema, applied } = await migrateBrain(db.url, options.brain);
    say(`migrations: ${applied.length === 0 ? 'up to date' : `applied ${applied.join(', ')}`} in ${schema}`);

    const mesh: MeshState = { options, paths, nats: bus, postgres: db, services, procs, routing, providers };
    saveMesh = () =>
      writeMeshFile(paths.mesh, meshSnapshot(mesh)).then(
        () => {
          meshWritten = true;
        },
        (error: unknown) => say(`could not write ${paths.mesh}: ${String(error)}`),
      );
    const goEnv = releaseEnv(bus.url, db.url);
    const waitOptions = {
      deadline: Date.now() + options.readyTimeoutMs - (performance.now() - startedAt),
      shouldStop: () => stop.signal.aborted || procs.some((proc) => proc.gaveUp),
    };
    const router = services.filter((service) => service.name === ROUTER);
    const agents = services.filter((service) => service.name !== ROUTER);
    if (!stop.signal.aborted) {
      routerGate.open(goEnv);
      await saveMesh();
    }
    let notReady = await waitForAllReady(router, waitOptions);
    const routerReady = notReady.length === 0;
    if (routerReady && !stop.signal.aborted) {
      agentsGate.open(options.fast ? { ...goEnv, ...fastClockAnchorEnv(new Date()) } : goEnv);
      say(`router ready; ${agents.length} agents released; waiting for every /readyz`);
      notReady = await waitForAllReady(agents, waitOptions);
    }
    if (!stop.signal.aborted) {
      if (notReady.length > 0) {
        const gaveUp = procs.filter((proc) => proc.gaveUp).map((proc) => proc.name);
        throw new ForgeError(
          'UNAVAILABLE',
          gaveUp.length > 0
            ? `${gaveUp.join(', ')} kept crashing while starting; see the log lines above`
            : routerReady
              ? `not ready after ${options.readyTimeoutMs / 1000}s: ${notReady.join(', ')}; see the log lines above`
              : `the router was not ready after ${options.readyTimeoutMs / 1000}s (the agents wait for it); see the log lines above`,
        );
      }
      const elapsedMs = Math.round(performance.now() - startedAt);
      const report = await buildUpReport(mesh, schema, elapsedMs, consoleSecret.password);
      if (options.json) event({ ...report });
      else for (const line of formatUpReport(report)) io.out(line);
      hooks.onReady?.(report);
      await new Promise((resolve) => stop.signal.addEventListener('abort', resolve, { once: true }));
    }
    const tookMs = await shutdown();
    if (options.json) event({ event: 'stopped', elapsedMs: tookMs });
    else say(`stopped in ${(tookMs / 1000).toFixed(1)}s`);
    if (backendGaveUp !== null) {
      throw new ForgeError(
        'UNAVAILABLE',
        `${backendGaveUp} kept crashing; the mesh was stopped (see the log lines above)`,
      );
    }
    return 0;
  } catch (error) {
    await shutdown();
    throw error;
  } finally {
    for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
    hooks.stop?.removeEventListener('abort', onStopHook);
  }
}

/** Where the offline day is, and with `--fast` the clock the scheduler and the day server share. */
function dayEnv(
  services: PlacedService[],
  fast: boolean,
  env: Readonly<Record<string, string | undefined>>,
): Pick<MeshEnv, 'dayUrl' | 'fastClock'> {
  const day = services.find((service) => service.name === DAY);
  return {
    ...(day ? { dayUrl: day.url } : {}),
    ...(fast
      ? {
          fastClock: {
            speed: FAST_DAY_SPEED,
            start: fastDayStart(new Date(), env.FORGE_DAY_TIME_ZONE || FAST_DAY_TIME_ZONE).toISOString(),
          },
        }
      : {}),
  };
}

/** A gate the services wait at: `open(env)` lets them run, with the settings known by then. */
function gate(): { opened: Promise<Record<string, string>>; open(env: Record<string, string>): void } {
  let open!: (env: Record<string, string>) => void;
  const opened = new Promise<Record<string, string>>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/**
 * The gateway's settings: the brain's federation files (made once: signing key, gateway key,
 * secrets shared with the other local brains), its public URL, and where the brain's agents are.
 */
async function gatewaySettings(
  options: UpOptions,
  paths: BrainPaths,
  services: readonly PlacedService[],
  publicPort: number,
  config: string,
): Promise<GatewayEnv> {
  const files = await ensureFederationFiles(options.stateDir, paths, options.brain, [
    options.brain,
    ...Object.keys(options.localPartners),
  ]);
  const agents = services.filter((s) => s.card !== null && s.name !== GATEWAY);
  return {
    config,
    publicPort,
    publicUrl: `http://127.0.0.1:${publicPort}`,
    agentUrls: agents.map((s) => `${s.name}=${s.url}`).join(','),
    keyFile: files.gatewayKey,
    stateDir: files.dir,
    exchangeDir: files.exchange,
    partners: options.localPartners,
  };
}
