import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Bus } from '@forge/bus';
import { HEADERS, TaskEnvelope } from '@forge/contracts';
import {
  createPool,
  migrate,
  PgScheduleRepository,
  PgSkillRegistry,
  PgTaskRepository,
  schemaForBrain,
} from '@forge/store';
import { createLogger, type Logger } from '@forge/telemetry';
import type pg from 'pg';
import { fastClock, realClock, type SchedulerClock } from './clock.js';
import type { SchedulerConfig } from './config.js';
import { serveControl } from './control.js';
import type { SubmitDeps } from './run-submitter.js';
import { loadSchedules, type Schedules } from './schedules-config.js';
import { SkillCatalog } from './skill-catalog.js';
import type { HttpGet } from './tick-input.js';
import { TickLoop } from './tick-loop.js';

export interface SchedulerService {
  /**
   * Loads the schedules (BAD_CONFIG naming the field: do not start), migrates, connects, logs which
   * schedules wait for a skill no agent has registered, serves the control subject and /readyz,
   * and starts ticking (the first pass catches up at once).
   */
  start(): Promise<void>;
  /** Readiness off → stop ticking (submissions in flight finish) → stop control → HTTP → NATS → pool. */
  stop(): Promise<void>;
  readonly ready: boolean;
  readonly url: string;
  readonly clock: SchedulerClock;
  readonly loop: TickLoop | undefined;
}

export interface SchedulerServiceDeps {
  logger?: Logger;
  /** The clock; default from the config (real, or fast from its anchor). */
  clock?: SchedulerClock;
  /** HTTP for input sources; tests pass their own. */
  get?: HttpGet;
  /** Loop tuning for tests. */
  maxSleepMs?: number;
  stalePendingMs?: number;
  skillsTtlMs?: number;
}

export function createSchedulerService(
  config: SchedulerConfig,
  deps: SchedulerServiceDeps = {},
): SchedulerService {
  const logger = deps.logger ?? createLogger({ name: 'forge-scheduler', level: config.logLevel });
  const clock = deps.clock ?? (config.clockSpeed > 1 ? fastDay(config) : realClock());
  const shutdown = new AbortController();
  let pool: pg.Pool | undefined;
  let bus: Bus | undefined;
  let server: Server | undefined;
  let loop: TickLoop | undefined;
  let control: { stop(): Promise<void> } | undefined;
  let ready = false;
  let stopped: Promise<void> | undefined;

  async function start(): Promise<void> {
    const schedules: Schedules = await loadSchedules(config.schedulesPath, config.scheduleVars);
    const schema = schemaForBrain(config.brain);
    await migrate({ databaseUrl: config.databaseUrl, schema, logger });
    pool = createPool({
      connectionString: config.databaseUrl,
      max: config.pgPoolMax,
      applicationName: 'forge-scheduler',
      logger,
    });
    bus = await Bus.connect({
      servers: config.natsUrl,
      name: 'forge-scheduler',
      brain: config.brain,
      logger,
    });
    await bus.ensureStreams();
    const runs = new PgScheduleRepository(pool, schema);
    const catalog = new SkillCatalog(new PgSkillRegistry(pool, schema), deps.skillsTtlMs);
    const b = bus;
    const submit: SubmitDeps = {
      brain: config.brain,
      clock,
      runs,
      tasks: new PgTaskRepository(pool, schema),
      catalog,
      dispatch: async (envelope) => {
        await b.publish(b.subjects.taskRoute, TaskEnvelope, envelope, {
          msgId: envelope.id,
          headers: { [HEADERS.taskId]: envelope.id },
        });
      },
      logger,
      signal: shutdown.signal,
      // reportSkills below says at start-up which schedules wait for a skill.
      waiting: new Set<string>(),
      ...(deps.get ? { get: deps.get } : {}),
    };
    for (const name of await reportSkills(schedules, catalog, logger)) submit.waiting?.add(name);
    loop = new TickLoop({
      schedules,
      clock,
      runs,
      submit,
      logger,
      ...(deps.maxSleepMs ? { maxSleepMs: deps.maxSleepMs } : {}),
      ...(deps.stalePendingMs ? { stalePendingMs: deps.stalePendingMs } : {}),
    });
    const served = serveControl({ bus, schedules, clock, runs, catalog, submit, loop });
    control = served;
    await served.ready;
    server = await listen(
      config.host,
      config.port,
      async () => ready && b.isConnected() && (await ping(pool)),
    );
    await loop.start();
    ready = true;
    logger.info(
      { url: urlOf(server, config.host), schedules: schedules.list.length, clock: clock.label },
      `scheduler ready: ${schedules.list.length} schedules on the ${clock.label} clock`,
    );
  }

  async function stopOnce(): Promise<void> {
    ready = false;
    shutdown.abort();
    const grace = Math.floor(config.shutdownGraceMs * 0.6);
    await loop?.stop(grace);
    await control?.stop().catch(() => undefined);
    if (server) await closeServer(server);
    await bus?.drain().catch((error: unknown) => logger.warn({ err: String(error) }, 'NATS drain failed'));
    await pool?.end().catch(() => undefined);
    logger.info('scheduler stopped');
  }

  return {
    start,
    stop: () => {
      stopped ??= stopOnce();
      return stopped;
    },
    get ready() {
      return ready;
    },
    get url() {
      if (!server) throw new Error('the scheduler is not started');
      return urlOf(server, config.host);
    },
    clock,
    get loop() {
      return loop;
    },
  };
}

/** Says at start-up which schedules run and which wait for a skill no agent has registered yet. */
async function reportSkills(schedules: Schedules, catalog: SkillCatalog, logger: Logger): Promise<string[]> {
  const skills = await catalog.skills();
  const waiting = schedules.list.filter((s) => s.enabled && !skills.has(s.skill));
  for (const s of schedules.list.filter((s) => s.enabled && skills.has(s.skill))) {
    logger.info(
      {
        schedule: s.name,
        cron: s.cron,
        timeZone: s.timeZone,
        skill: s.skill,
        tier: skills.get(s.skill)?.tierHint,
      },
      `schedule ${s.name}: ${s.cron} → ${s.skill}`,
    );
  }
  if (waiting.length > 0) {
    logger.warn(
      { waiting: waiting.map((s) => ({ schedule: s.name, skill: s.skill })) },
      `${waiting.length} schedule(s) wait for a skill no agent has registered; their ticks are skipped and recorded until it appears: ` +
        waiting.map((s) => `${s.name} (${s.skill})`).join(', '),
    );
  }
  return waiting.map((s) => s.name);
}

async function ping(pool: pg.Pool | undefined): Promise<boolean> {
  if (!pool) return false;
  try {
    await pool.query('SELECT 1');
    return true;
  } catch {
    return false;
  }
}

function listen(host: string, port: number, isReady: () => Promise<boolean>): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') return void res.writeHead(405).end();
    if (path === '/livez')
      return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    if (path === '/readyz') {
      void isReady().then((ok) =>
        res
          .writeHead(ok ? 200 : 503, { 'content-type': 'application/json' })
          .end(JSON.stringify({ status: ok ? 'ready' : 'not ready' })),
      );
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function urlOf(server: Server, host: string): string {
  const { port } = server.address() as AddressInfo;
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `http://${shown}:${port}`;
}

/** `forge up --fast`'s clock: from the anchor (default now), starting at `clockStart` if given. */
function fastDay(config: SchedulerConfig): SchedulerClock {
  const anchor = config.clockAnchor ?? new Date();
  return fastClock(config.clockSpeed, anchor, Date.now, config.clockStart ?? anchor);
}
