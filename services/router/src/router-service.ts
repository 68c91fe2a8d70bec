import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Bus, type BusConnectOptions } from '@forge/bus';
import { ApiKeyStore, checkReadiness, closeHttpServer, hostForUrl } from '@forge/service-runtime';
import {
  createPool,
  migrate,
  PgBudgetRepository,
  PgCostLedger,
  PgModelBatchRepository,
  PgRoutingDecisionRepository,
  PgSkillRegistry,
  PgTaskRepository,
  schemaForBrain,
} from '@forge/store';
import { createLogger, type Logger, type MetricsScrape, withMetricsEndpoint } from '@forge/telemetry';
import type pg from 'pg';
import { DeferredCalls } from './batch/deferred-calls.js';
import { admissionMetrics } from './budgets/admission-metrics.js';
import { BudgetGate } from './budgets/budget-gate.js';
import { observeBudgetRemaining } from './budgets/budget-metrics.js';
import { CallAdmission } from './budgets/call-admission.js';
import type { RouterConfig } from './config.js';
import { CachePlanner } from './gateway/cache-planner.js';
import { CircuitBreakers } from './gateway/circuit-breaker.js';
import { GatewayStats } from './gateway/gateway-stats.js';
import { ModelCallService } from './gateway/model-call-service.js';
import { ModelGateway } from './gateway/model-gateway.js';
import { createRouterApp } from './http/app.js';
import { LedgerWriter } from './ledger/ledger-writer.js';
import { ModelMetrics } from './ledger/model-metrics.js';
import { BacklogMonitor } from './routing/backlog-monitor.js';
import { RouteConsumer } from './routing/route-consumer.js';
import { RouteDecider } from './routing/route-decider.js';
import { RoutingConfigSource } from './routing/routing-config-source.js';
import { SkillCache } from './routing/skill-cache.js';
import { TaskRouter } from './routing/task-router.js';
import { TaskRoutingCache } from './routing/task-routing-cache.js';

export interface RouterServiceDeps {
  logger?: Logger;
  /** The Prometheus scrape to answer at `/metrics` on the router's port (the telemetry SDK's). */
  scrape?: MetricsScrape | undefined;
  /**
   * The clock the prompt cache planner reads a skill's rhythm by (epoch ms); `Date.now` by
   * default. The cost-month bench passes its simulated month's clock.
   */
  clock?: () => number;
  /** Bus settings for benchmarks (`bench router-overhead --replies` compares reply coalescing). */
  bus?: Pick<BusConnectOptions, 'coalesceReplies'>;
}

/** A running router; `start`/`stop` are its only lifecycle. Parts are exposed for tests and benchmarks. */
export interface RouterService {
  /**
   * Loads and validates the routing config (BAD_CONFIG naming the field: do not start), migrates
   * the brain's schema, connects NATS and Postgres, starts the route consumer, the model gateway
   * and the HTTP endpoint; then `ready` is true.
   */
  start(): Promise<void>;
  /**
   * The one shutdown path: readiness off → stop consuming, serving model calls and HTTP at once
   * (in-flight work finishes within the grace; calls still running then are aborted and billed
   * for what came) → flush the ledger → drain NATS → close the pool. Safe to call twice.
   */
  stop(): Promise<void>;
  /** SIGHUP: re-reads the routing config and the API keys file; keeps the old ones when invalid. */
  reload(): Promise<boolean>;
  readonly ready: boolean;
  /** `http://host:port` once started. */
  readonly url: string;
  readonly gateway: ModelGateway;
  readonly modelCalls: ModelCallService;
  readonly ledger: LedgerWriter;
  readonly stats: GatewayStats;
  readonly routing: RoutingConfigSource;
  /** Deferrable skills' calls in vendor batches. */
  readonly deferred: DeferredCalls;
  /** The in-flight limit and queue over both edges (HTTP and NATS). */
  readonly admission: CallAdmission;
}

interface Running {
  source: RoutingConfigSource;
  pool: pg.Pool;
  bus: Bus;
  writer: LedgerWriter;
  gate: BudgetGate;
  gateway: ModelGateway;
  modelCalls: ModelCallService;
  deferred: DeferredCalls;
  consumer: RouteConsumer;
  backlog: BacklogMonitor;
  server: Server;
  stopObserving: () => void;
  admission: CallAdmission;
  stopObservingAdmission: () => void;
}

function notStarted(): never {
  throw new Error('the router service is not started');
}

/** Wires the router from its config by hand (no container); nothing connects until `start`. */
export function createRouterService(config: RouterConfig, deps: RouterServiceDeps = {}): RouterService {
  const logger = deps.logger ?? createLogger({ name: 'forge-router', level: config.logLevel });
  const stats = new GatewayStats();
  let running: Running | undefined;
  let partial: Partial<Running> = {};
  let ready = false;
  let keys = ApiKeyStore.empty();
  let stopped: Promise<void> | undefined;

  const loadKeys = async (): Promise<ApiKeyStore> =>
    config.apiKeysFile ? ApiKeyStore.fromFile(config.apiKeysFile) : ApiKeyStore.empty();

  async function start(): Promise<void> {
    const source = await RoutingConfigSource.load(
      config.routingConfigPath,
      { secretsEnv: config.secretsEnv, baseUrls: config.baseUrls, transport: config.modelTransport },
      logger,
    );
    keys = await loadKeys();
    if (keys.size === 0) logger.warn('no API keys configured: /v1/chat/completions refuses every call');
    const schema = schemaForBrain(config.brain);
    await migrate({ databaseUrl: config.databaseUrl, schema, logger });
    const pool = createPool({
      connectionString: config.databaseUrl,
      max: config.pgPoolMax,
      connectionTimeoutMs: config.pgPoolWaitMs,
      applicationName: 'forge-router',
      logger,
    });
    partial.pool = pool;
    const bus = await Bus.connect({
      servers: config.natsUrl,
      name: 'forge-router',
      brain: config.brain,
      logger,
      ...deps.bus,
    });
    partial.bus = bus;
    await bus.ensureStreams();

    const tasks = new PgTaskRepository(pool, schema);
    const decisions = new PgRoutingDecisionRepository(pool, schema);
    const budgets = new PgBudgetRepository(pool, schema);
    const models = new ModelMetrics();
    const costLedger = new PgCostLedger(pool, schema);
    const writer = new LedgerWriter({
      ledger: costLedger,
      budgets,
      flushMs: config.ledgerFlushMs,
      logger,
      onRecord: (entry) => models.record(entry),
    });
    partial.writer = writer;
    const gate = new BudgetGate(budgets, writer);
    partial.gate = gate;
    const gateway = new ModelGateway({
      brain: config.brain,
      source,
      gate,
      writer,
      breakers: new CircuitBreakers(source.current.config.gateway.breaker),
      stats,
      logger: logger.child({ component: 'model-gateway' }),
      cache: new CachePlanner({
        history: costLedger,
        ...(deps.clock ? { clock: deps.clock } : {}),
        logger: logger.child({ component: 'cache-planner' }),
      }),
    });
    partial.gateway = gateway;
    const backlog = new BacklogMonitor({
      nc: bus.nc,
      stream: bus.subjects.streams.tasks.name,
      durable: bus.subjects.consumers.router,
      logger,
    });
    // Tasks are decided on a fresh budget view; endpoint calls, one decision per request, share a
    // view for 250 ms (admission before every call is the hard check either way).
    const decider = new RouteDecider({ budgets, backlog: () => backlog.pending, viewTtlMs: 0 });
    const apiDecider = new RouteDecider({ budgets, backlog: () => backlog.pending, viewTtlMs: 250 });
    const taskRouter = new TaskRouter({
      source,
      skills: new SkillCache(new PgSkillRegistry(pool, schema)),
      decider,
      decisions,
      tasks,
    });
    const cache = new TaskRoutingCache(decisions);
    const consumer = new RouteConsumer({
      bus,
      router: taskRouter,
      tasks,
      decisions,
      cache,
      concurrency: config.concurrency,
      logger: logger.child({ component: 'route-consumer' }),
    });
    const deferred = new DeferredCalls({
      brain: config.brain,
      source,
      gateway,
      gate,
      writer,
      repo: new PgModelBatchRepository(pool, schema),
      tasks,
      logger: logger.child({ component: 'deferred-calls' }),
    });
    const metrics = admissionMetrics();
    const admission = new CallAdmission({ ...config.admission, onRefused: metrics.refused });
    partial.admission = admission;
    const stopObservingAdmission = metrics.observe(admission);
    partial.stopObservingAdmission = stopObservingAdmission;
    const modelCalls = new ModelCallService({
      bus,
      gateway,
      source,
      routing: cache,
      router: taskRouter,
      tasks,
      logger,
      deferred,
      admission,
    });
    const app = createRouterApp({
      brain: config.brain,
      admission,
      source,
      decider: apiDecider,
      gateway,
      keys: () => keys,
      logger: logger.child({ component: 'http' }),
      bodyLimit: config.bodyLimit,
      ready: async () => {
        const readiness = await checkReadiness({
          accepting: () => ready,
          natsConnected: () => bus.isConnected(),
          pingPostgres: async () => {
            await pool.query('SELECT 1');
          },
        });
        return readiness.ready;
      },
    });
    const server = await listen(withMetricsEndpoint(app, deps.scrape), config.host, config.port);
    partial.server = server;
    await consumer.start();
    partial.consumer = consumer;
    modelCalls.start();
    partial.modelCalls = modelCalls;
    deferred.start();
    partial.deferred = deferred;
    await backlog.start();
    const stopObserving = observeBudgetRemaining(
      () => source.current.effective,
      (routing) => apiDecider.budgetView(routing),
    );
    running = {
      source,
      pool,
      bus,
      writer,
      gate,
      gateway,
      modelCalls,
      consumer,
      deferred,
      backlog,
      server,
      stopObserving,
      admission,
      stopObservingAdmission,
    };
    ready = true;
    logger.info({ url: urlOf(server, config.host), brain: config.brain }, 'router ready');
  }

  async function stopOnce(): Promise<void> {
    ready = false;
    const r = { ...partial, ...running };
    const deadline = Date.now() + config.shutdownGraceMs;
    const left = () => Math.max(0, deadline - Date.now());
    // In-flight work gets most of the grace; the rest is for writing the ledger and closing.
    const work = Math.floor(config.shutdownGraceMs * 0.7);
    r.backlog?.stop();
    r.stopObserving?.();
    r.stopObservingAdmission?.();
    // New model calls go to the other replicas first: once NATS has dropped this replica's serve
    // subscription, no request arrives here only to be refused.
    await within(Math.min(work, 2_000), r.modelCalls?.stopTaking());
    // No call waiting for a slot gets one now (a slot freed by a call ending would otherwise
    // start it): each is answered OVERLOADED (reason `stopping`), never started, and its caller
    // asks again, the same call, which another replica takes.
    r.admission?.close();
    // Stop taking work everywhere at once; what is in flight finishes within the grace (model
    // calls and streamed completions still running then are aborted and billed for what came).
    await Promise.allSettled([
      r.consumer?.stop(work),
      r.modelCalls?.stop(work),
      // Deferred calls live in Postgres: a batch round still running is finished or aborted (a
      // normal call cut short is billed, and the next router makes it again).
      r.deferred?.stop(work),
      r.server ? closeHttpServer(r.server, work) : undefined,
    ]);
    // Aborted calls end quickly; their ledger rows must be queued before the last flush.
    await r.gateway?.idle(Math.min(left(), 1_000));
    // Budget leases go back before the last flush, so no money stays held until they expire.
    r.gate?.close();
    // The model providers' keep-alive connections (their calls ended above).
    await r.source?.close();
    // Every ledger row and settlement of those calls is written before the connections close.
    await r.writer?.stop(Math.max(left(), 1_000));
    await r.bus?.drain().catch((error: unknown) => logger.warn({ err: String(error) }, 'NATS drain failed'));
    await r.pool?.end().catch(() => undefined);
    running = undefined;
    partial = {};
    logger.info('router stopped');
  }

  return {
    start,
    stop: () => {
      stopped ??= stopOnce();
      return stopped;
    },
    async reload() {
      const r = running ?? notStarted();
      const ok = await r.source.reload();
      try {
        keys = await loadKeys();
      } catch (error) {
        logger.error(
          { reason: error instanceof Error ? error.message : String(error) },
          'API keys reload refused; keeping the old keys',
        );
        return false;
      }
      return ok;
    },
    get ready() {
      return ready;
    },
    get url() {
      return urlOf((running ?? notStarted()).server, config.host);
    },
    get gateway() {
      return (running ?? notStarted()).gateway;
    },
    get modelCalls() {
      return (running ?? notStarted()).modelCalls;
    },
    get ledger() {
      return (running ?? notStarted()).writer;
    },
    get routing() {
      return (running ?? notStarted()).source;
    },
    get deferred() {
      return (running ?? notStarted()).deferred;
    },
    get admission() {
      return (running ?? notStarted()).admission;
    },
    stats,
  };
}

/** Waits for `work` at most `ms` (its failure is not this caller's concern: the stop goes on). */
async function within(ms: number, work: Promise<void> | undefined): Promise<void> {
  if (!work) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    work.catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}

function listen(listener: RequestListener, host: string, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer(listener);
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

function urlOf(server: Server, host: string): string {
  const { port } = server.address() as AddressInfo;
  return `http://${hostForUrl(host)}:${port}`;
}
