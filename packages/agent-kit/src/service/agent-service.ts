import { setMaxListeners } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AgentCard } from '@a2a-js/sdk';
import { Bus, type TaskConsumer } from '@forge/bus';
import { ForgeError, TaskEnvelope } from '@forge/contracts';
import { ApiKeyStore, closeHttpServer, hostForUrl } from '@forge/service-runtime';
import { createPool, migrate, PgSkillRegistry, PgTaskRepository, schemaForBrain } from '@forge/store';
import {
  createLogger,
  type Logger,
  type MetricsScrape,
  redactUrl,
  withMetricsEndpoint,
} from '@forge/telemetry';
import type pg from 'pg';
import { buildAgentCard } from '../edge/agent-card.js';
import { createHttpApp } from '../edge/http-app.js';
import { ForgeRequestHandler } from '../edge/request-handler.js';
import { MeteredRequestHandler } from '../metrics/a2a-request-metrics.js';
import { meteredStatusPublisher, observeTasksInFlight } from '../metrics/task-metrics.js';
import type { ModelClientFactory } from '../models/model-client.js';
import { NatsModelClient } from '../models/nats-model-client.js';
import { NatsPartnerClient } from '../partners/partner-client.js';
import { watchDeadLetters } from '../ports/dead-letter-watch.js';
import { natsPorts } from '../ports/nats-ports.js';
import type { AgentDefinition } from '../skills/define-agent.js';
import { skillManifests } from '../skills/skill-manifests.js';
import { TaskWorker } from '../worker/task-worker.js';
import type { AgentConfig } from './config.js';
import type { ServiceExtension, ServiceExtensionFactory } from './service-extension.js';

/** Optional overrides, for tests and for services with special needs. */
export interface AgentServiceDeps {
  logger?: Logger;
  /** Default: the keys file named by the config (or none: every protected call is refused). */
  apiKeys?: ApiKeyStore;
  /** Default: `NatsModelClient` over the service's own bus. */
  models?: (bus: Bus) => ModelClientFactory;
  /** Components and HTTP routes the service adds beside its skills (see `ServiceExtension`). */
  extension?: ServiceExtensionFactory;
  /**
   * TESTS ONLY: publish new tasks straight to the agent's own `task.run.<agent>` subject instead
   * of `task.route`, for a test or benchmark that runs an agent with no router. Such a task has no
   * routing decision until its first model call (the gateway routes it then), and a tool-tier
   * task never gets one. No environment variable or config file sets this: a service started by
   * `runAgentService` (by hand, by helm, by `forge up`) always dispatches through the router.
   */
  testOnlyDirectDispatch?: boolean;
  /** The Prometheus scrape to answer at `/metrics` on the service's port (the telemetry SDK's). */
  scrape?: MetricsScrape | undefined;
}

/** A running agent: HTTP edge, worker, and their connections. */
export interface AgentService {
  /** Connects, migrates, registers skills, starts consuming and serving; then `ready` is true. */
  start(): Promise<void>;
  /**
   * The one shutdown path (SIGTERM takes it too): readiness off → stop consuming and let
   * in-flight tasks finish within the grace (the rest are released to other replicas) → close
   * HTTP → drain NATS → close the pool. Bounded by `shutdownGraceMs`; safe to call twice, and
   * after a failed start.
   */
  stop(): Promise<void>;
  /** The public base URL (after start). */
  readonly url: string;
  readonly ready: boolean;
  /** The agent card (after start). */
  readonly card: AgentCard;
  /** Tasks this instance's worker holds right now. */
  readonly inFlight: number;
}

const DEFAULTS = {
  blockingWaitMs: 60_000,
  statusQuietMs: 2_000,
  maxDeliver: 5,
  ackWaitMs: 30_000,
  cancelWaitMs: 5_000,
};

interface Running {
  pool?: pg.Pool;
  bus?: Bus;
  consumer?: TaskConsumer;
  deadLetters?: TaskConsumer;
  cancelListening?: { stop(): Promise<void> };
  server?: Server;
  worker?: TaskWorker;
  extension?: ServiceExtension;
  stopObserving?: () => void;
}

/**
 * Turns an agent definition into a service. Nothing connects until `start()`. The service owns
 * its NATS connection and Postgres pool and closes them in `stop()`.
 */
export function createAgentService(
  agent: AgentDefinition,
  config: AgentConfig,
  deps: AgentServiceDeps = {},
): AgentService {
  const logger = deps.logger ?? createLogger({ name: `forge-${agent.name}`, level: config.logLevel });
  const closing = new AbortController();
  // Every relay and blocking call in progress listens to it (and lets go when it ends): as many
  // listeners as calls in flight is expected, not a leak.
  setMaxListeners(0, closing.signal);
  const running: Running = {};
  let card: AgentCard | undefined;
  let cardSince = new Date();
  let url: string | undefined;
  let accepting = false;
  let stopped: Promise<void> | undefined;
  let keys = deps.apiKeys ?? ApiKeyStore.empty();

  const cardNow = (): AgentCard => {
    if (!card) throw new ForgeError('UNAVAILABLE', 'the service is starting');
    return card;
  };

  async function start(): Promise<void> {
    if (running.pool || stopped) throw new ForgeError('CONFLICT', 'an agent service starts once');
    const maxDeliver = config.maxDeliver ?? DEFAULTS.maxDeliver;
    if (!deps.apiKeys) {
      if (config.apiKeysFile) keys = await ApiKeyStore.fromFile(config.apiKeysFile);
      else logger.warn('no FORGE_API_KEYS_FILE: every A2A call will be refused with 401');
    }
    const pool = createPool({
      connectionString: config.databaseUrl,
      max: config.concurrency + 6,
      applicationName: `forge-${agent.name}`,
      logger,
    });
    running.pool = pool;
    try {
      await pool.query('SELECT 1');
    } catch (error) {
      throw new ForgeError(
        'UNAVAILABLE',
        `cannot reach Postgres at ${redactUrl(config.databaseUrl)}: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    const schema = schemaForBrain(config.brain);
    await migrate({ databaseUrl: config.databaseUrl, schema, logger });
    const tasks = new PgTaskRepository(pool, schema);
    const bus = await Bus.connect({
      servers: config.natsUrl,
      name: `forge-${agent.name}`,
      brain: config.brain,
      logger,
    });
    running.bus = bus;
    await bus.ensureStreams();
    await new PgSkillRegistry(pool, schema).register(skillManifests(agent));

    const dispatch = deps.testOnlyDirectDispatch ? 'direct-for-tests' : 'router';
    const ports = natsPorts(bus, agent.name, dispatch, logger);
    ports.publisher = meteredStatusPublisher(ports.publisher, agent.name);
    const models = deps.models?.(bus) ?? ((scope) => new NatsModelClient(bus, scope));
    const worker = new TaskWorker({
      agent,
      brain: config.brain,
      tasks,
      status: ports.publisher,
      events: ports.events,
      models,
      partners: new NatsPartnerClient(bus),
      logger,
    });
    running.worker = worker;
    running.stopObserving = observeTasksInFlight(agent.name, () => worker.inFlight);
    running.cancelListening = await ports.cancelListener.listen((request) => worker.cancel(request));
    running.consumer = bus.consumer({
      stream: bus.subjects.streams.tasks.name,
      durable: bus.subjects.consumers.agent(agent.name),
      filterSubject: bus.subjects.taskRun(agent.name),
      schema: TaskEnvelope,
      concurrency: config.concurrency,
      maxDeliver,
      ackWaitMs: config.ackWaitMs ?? DEFAULTS.ackWaitMs,
      ...(config.backoffMs ? { backoffMs: config.backoffMs } : {}),
      handler: (envelope, ctx) =>
        worker.run(envelope, {
          deliveryCount: ctx.deliveryCount,
          maxDeliver,
          streamSequence: ctx.streamSequence,
          signal: ctx.signal,
        }),
    });
    running.deadLetters = watchDeadLetters({
      bus,
      agent: agent.name,
      tasks,
      publisher: ports.publisher,
      logger,
    });

    const extension = deps.extension
      ? await deps.extension({
          brain: config.brain,
          schema,
          pool,
          bus,
          logger,
          dispatch: deps.testOnlyDirectDispatch ? 'direct' : 'router',
        })
      : undefined;
    running.extension = extension;

    const edge = new ForgeRequestHandler({
      agent,
      brain: config.brain,
      card: cardNow,
      tasks,
      status: ports.status,
      publisher: ports.publisher,
      dispatcher: ports.dispatcher,
      canceller: ports.canceller,
      logger,
      blockingWaitMs: config.blockingWaitMs ?? DEFAULTS.blockingWaitMs,
      quietMs: config.statusQuietMs ?? DEFAULTS.statusQuietMs,
      cancelWaitMs: DEFAULTS.cancelWaitMs,
      closing: closing.signal,
    });
    const handler = new MeteredRequestHandler(edge, agent.name);
    const app = createHttpApp({
      handler,
      card: cardNow,
      cardSince: () => cardSince,
      keys: () => keys,
      bodyLimit: config.bodyLimit,
      logger,
      ...(extension?.routes ? { extraRoutes: extension.routes } : {}),
      readiness: {
        accepting: () => accepting,
        natsConnected: () => bus.isConnected(),
        pingPostgres: async () => {
          await pool.query('SELECT 1');
        },
      },
    });
    const server = createServer(withMetricsEndpoint(app, deps.scrape));
    running.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const port = (server.address() as AddressInfo).port;
    url = (config.publicUrl ?? `http://${hostForUrl(config.host)}:${port}`).replace(/\/$/, '');
    card = buildAgentCard(agent, url);
    // HTTP dates have whole seconds: a conditional request compares at that precision.
    cardSince = new Date(Math.floor(Date.now() / 1000) * 1000);

    await running.consumer.start();
    await running.deadLetters.start();
    await extension?.start?.();
    accepting = true;
    logger.info(
      {
        url,
        brain: config.brain,
        dispatch,
        concurrency: config.concurrency,
        skills: agent.skills.length,
      },
      'agent service ready',
    );
  }

  function stop(): Promise<void> {
    stopped ??= (async () => {
      accepting = false;
      const grace = config.shutdownGraceMs;
      const began = Date.now();
      const left = () => Math.max(0, grace - (Date.now() - began));
      // Keep a slice of the budget for closing HTTP and draining connections.
      const reserve = Math.min(2_000, Math.floor(grace / 4));
      await running.consumer?.stop(Math.max(0, grace - reserve));
      await running.deadLetters?.stop(0);
      await running.cancelListening?.stop();
      await running.extension
        ?.stop?.()
        .catch((error: unknown) => logger.warn({ err: String(error) }, 'extension stop failed'));
      closing.abort(new ForgeError('UNAVAILABLE', 'the service is stopping'));
      if (running.server) await closeHttpServer(running.server, Math.min(left(), 1_000));
      await running.bus
        ?.drain()
        .catch((error: unknown) => logger.warn({ err: String(error) }, 'NATS drain failed'));
      await running.pool
        ?.end()
        .catch((error: unknown) => logger.warn({ err: String(error) }, 'pool end failed'));
      running.stopObserving?.();
      logger.info({ tookMs: Date.now() - began }, 'agent service stopped');
    })();
    return stopped;
  }

  return {
    start,
    stop,
    get url() {
      if (!url) throw new ForgeError('UNAVAILABLE', 'the service has not started');
      return url;
    },
    get ready() {
      return accepting;
    },
    get card() {
      return cardNow();
    },
    get inFlight() {
      return running.worker?.inFlight ?? 0;
    },
  };
}
