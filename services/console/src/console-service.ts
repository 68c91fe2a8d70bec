import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Bus } from '@forge/bus';
import { ApprovalQueue, createTaskSubmitter } from '@forge/day';
import { loadRoutingConfigFile, type RoutingConfig } from '@forge/policy';
import { closeHttpServer } from '@forge/service-runtime';
import {
  createPool,
  migrate,
  PgApprovalRepository,
  PgConsoleSessionRepository,
  PgCostLedger,
  PgOperatorViews,
  PgSkillRegistry,
  PgTaskRepository,
  schemaForBrain,
} from '@forge/store';
import { createLogger, type Logger } from '@forge/telemetry';
import type pg from 'pg';
import { ApprovalFeed } from './approval-feed.js';
import { LoginRateLimiter } from './auth/login-rate-limiter.js';
import { SessionAuth } from './auth/session-auth.js';
import type { ConsoleConfig } from './config.js';
import { createConsoleApp } from './console-app.js';

export interface ConsoleService {
  /** Loads the routing config, migrates, connects, serves; the approvals feed starts looking. */
  start(): Promise<void>;
  /** Readiness off → feed and its streams → HTTP → NATS → pool. */
  stop(): Promise<void>;
  /** Reads the routing config file again (SIGHUP); keeps the old one when the new one is bad. */
  reload(): Promise<void>;
  /** One heartbeat of the approvals feed now: streams whose session ended are closed. */
  heartbeat(): Promise<void>;
  readonly url: string;
  readonly ready: boolean;
}

const SWEEP_MS = 15 * 60_000;

export function createConsoleService(
  config: ConsoleConfig,
  deps: { logger?: Logger; now?: () => Date } = {},
): ConsoleService {
  const logger = deps.logger ?? createLogger({ name: 'forge-console', level: config.logLevel });
  const schema = schemaForBrain(config.brain);
  let pool: pg.Pool | undefined;
  let bus: Bus | undefined;
  let server: Server | undefined;
  let feed: ApprovalFeed | undefined;
  let sweeper: NodeJS.Timeout | undefined;
  let routing: RoutingConfig | undefined;
  let ready = false;
  let stopped: Promise<void> | undefined;

  async function start(): Promise<void> {
    routing = await loadRoutingConfigFile(config.routingConfigPath);
    await migrate({ databaseUrl: config.databaseUrl, schema, logger });
    pool = createPool({
      connectionString: config.databaseUrl,
      max: config.pgPoolMax,
      applicationName: 'forge-console',
      logger,
    });
    bus = await Bus.connect({ servers: config.natsUrl, name: 'forge-console', brain: config.brain, logger });
    await bus.ensureStreams();
    const p = pool;
    const b = bus;
    const tasks = new PgTaskRepository(p, schema);
    const repo = new PgApprovalRepository(p, schema);
    const submitter = createTaskSubmitter({ tasks, bus: b, dispatch: 'router' });
    const queue = new ApprovalQueue({ repo, submitter, tasks, bus: b, brain: config.brain, logger });
    feed = new ApprovalFeed({
      listPending: () => repo.list({ status: 'pending', limit: 200 }),
      pollMs: config.pollMs,
      logger,
    });
    const sessions = new PgConsoleSessionRepository(p, schema);
    const auth = new SessionAuth({
      sessions,
      operator: config.operator,
      passwordHash: config.passwordHash,
      secureCookies: config.secureCookies,
      lifetimes: { idleMs: config.sessionIdleMs, absoluteMs: config.sessionAbsoluteMs },
      maxFailures: config.maxFailures,
      lockMs: config.lockMs,
      limiter: new LoginRateLimiter(config.loginAttemptsPerMinute),
      logger,
      ...(deps.now ? { now: deps.now } : {}),
    });
    const app = createConsoleApp({
      brain: config.brain,
      auth,
      queue,
      feed,
      views: new PgOperatorViews(p, schema),
      ledger: new PgCostLedger(p, schema),
      skills: new PgSkillRegistry(p, schema),
      pool: p,
      schema,
      bus: b,
      routing: () => routing!,
      providers: config.providers,
      jaegerUrl: config.jaegerUrl,
      trustedProxies: config.trustedProxies,
      isReady: async () => ready && b.isConnected() && (await ping(p)),
      logger,
      ...(deps.now ? { now: deps.now } : {}),
    });
    await feed.start();
    server = createServer(app);
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(config.port, config.host, () => resolve());
    });
    sweeper = setInterval(() => {
      sessions
        .sweep(new Date())
        .catch((error: unknown) => logger.warn({ err: String(error) }, 'session sweep failed'));
    }, SWEEP_MS);
    sweeper.unref();
    ready = true;
    logger.info({ url: urlOf(server, config.host), operator: config.operator }, 'console ready');
  }

  async function stopOnce(): Promise<void> {
    ready = false;
    clearInterval(sweeper);
    await feed?.stop().catch(() => undefined);
    if (server)
      await closeHttpServer(server, Math.floor(config.shutdownGraceMs * 0.5)).catch(() => undefined);
    await bus?.drain().catch((error: unknown) => logger.warn({ err: String(error) }, 'NATS drain failed'));
    await pool?.end().catch(() => undefined);
    logger.info('console stopped');
  }

  return {
    start,
    heartbeat: () => feed?.heartbeat() ?? Promise.resolve(),
    stop: () => {
      stopped ??= stopOnce();
      return stopped;
    },
    async reload() {
      try {
        routing = await loadRoutingConfigFile(config.routingConfigPath);
        logger.info({ version: routing.version }, 'routing config reloaded');
      } catch (error) {
        logger.error({ err: String(error) }, 'routing config not reloaded; keeping the old one');
      }
    },
    get url() {
      if (!server) throw new Error('the console is not started');
      return urlOf(server, config.host);
    },
    get ready() {
      return ready;
    },
  };
}

async function ping(pool: pg.Pool): Promise<boolean> {
  try {
    await pool.query('SELECT 1');
    return true;
  } catch {
    return false;
  }
}

function urlOf(server: Server, host: string): string {
  const { port } = server.address() as AddressInfo;
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `http://${shown}:${port}`;
}
