import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bus } from '@forge/bus';
import {
  isForgeError,
  SchedulerControlReply,
  SchedulerControlRequest,
  type SkillManifest,
} from '@forge/contracts';
import {
  createPool,
  PgScheduleRepository,
  PgSkillRegistry,
  PgTaskRepository,
  schemaForBrain,
} from '@forge/store';
import { createLogger } from '@forge/telemetry';
import { type TestBrain, testBrain } from '@forge/testkit';
import { jetstreamManager } from '@nats-io/jetstream';
import type pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SchedulerClock } from './clock.js';
import type { SchedulerConfig } from './config.js';
import { createSchedulerService, type SchedulerService } from './scheduler-service.js';

const quiet = createLogger({ name: 'scheduler-test', level: 'silent' });

/** A clock the test moves by hand. */
function manualClock(start: string): SchedulerClock & { set(at: string): void } {
  let now = new Date(start).getTime();
  return {
    id: 'real',
    label: 'manual',
    speed: 1,
    now: () => new Date(now),
    realDelayUntil: (at) => Math.max(0, at.getTime() - now),
    realSpan: (ms) => ms,
    set(at: string) {
      now = new Date(at).getTime();
    },
  };
}

function manifest(skill: string): SkillManifest {
  return {
    skill,
    agent: skill.split('.')[0]!,
    description: `does ${skill}`,
    tierHint: 'tool',
    critical: false,
    inputSchema: { type: 'object' },
    outputSchema: { type: 'object' },
  };
}

let brain: TestBrain;
let pool: pg.Pool | undefined;
let schema: string;
const services: SchedulerService[] = [];
const servers: Server[] = [];

beforeEach(async () => {
  brain = await testBrain('sched');
  schema = schemaForBrain(brain.name);
});
afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.stop()));
  for (const server of servers.splice(0)) server.close();
  await pool?.end();
  pool = undefined;
  await brain.cleanup();
});

function configFor(yaml: string, vars: Record<string, string> = {}): SchedulerConfig {
  const dir = mkdtempSync(join(tmpdir(), 'forge-sched-'));
  const path = join(dir, 'schedules.yaml');
  writeFileSync(path, yaml);
  return {
    brain: brain.name,
    host: '127.0.0.1',
    port: 0,
    natsUrl: brain.natsUrl,
    databaseUrl: brain.databaseUrl,
    schedulesPath: path,
    scheduleVars: vars,
    clockSpeed: 1,
    clockAnchor: undefined,
    clockStart: undefined,
    shutdownGraceMs: 5_000,
    pgPoolMax: 4,
    logLevel: 'silent',
    otlpEndpoint: undefined,
  };
}

async function startScheduler(config: SchedulerConfig, clock: SchedulerClock): Promise<SchedulerService> {
  const service = createSchedulerService(config, {
    logger: quiet,
    clock,
    maxSleepMs: 60_000,
    stalePendingMs: 60_000,
    skillsTtlMs: 1,
  });
  services.push(service);
  await service.start();
  return service;
}

/** One pass on the clock as it stands, and every submission it started. */
async function pass(service: SchedulerService): Promise<void> {
  await service.loop!.passNow();
}

/** The test's own connection to the brain's schema. */
function db(): pg.Pool {
  pool ??= createPool({ connectionString: brain.databaseUrl, max: 2, logger: quiet });
  return pool;
}
const runs = () => new PgScheduleRepository(db(), schema);

async function routeMessages(): Promise<number> {
  const nc = (await Bus.connect({ servers: brain.natsUrl, name: 'count', brain: brain.name, logger: quiet }))
    .nc;
  try {
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info(`FORGE_${brain.name.toUpperCase()}_TASKS`);
    return info.state.messages;
  } finally {
    await nc.close();
  }
}

const EVERY_MINUTE = `
timeZone: UTC
schedules:
  - name: fetch
    description: fetch feeds
    cron: "* * * * *"
    skill: scout.fetch-feeds
    input: { tags: [news], at: "{{tick.iso}}" }
`;

describe('scheduler service (real NATS and Postgres)', () => {
  it('runs a tick once on first sight only from then on, submits it through the router with origin schedule', async () => {
    const clock = manualClock('2025-06-10T12:00:30Z');
    const config = configFor(EVERY_MINUTE);
    const registryPool = createPool({ connectionString: brain.databaseUrl, max: 1, logger: quiet });
    const service = await startScheduler(config, clock);
    await new PgSkillRegistry(registryPool, schema).register([manifest('scout.fetch-feeds')]);
    await registryPool.end();
    // First sight: 12:00 is the baseline and does not run.
    expect(await runs().runs('fetch', 10)).toEqual([]);
    clock.set('2025-06-10T12:01:05Z');
    await pass(service);
    const [run] = await runs().runs('fetch', 10);
    expect(run).toMatchObject({
      tickAt: '2025-06-10T12:01:00.000Z',
      trigger: 'tick',
      outcome: 'submitted',
      taskState: 'submitted',
    });
    const task = await new PgTaskRepository(db(), schema).get(run!.taskId!);
    expect(task).toMatchObject({
      skill: 'scout.fetch-feeds',
      origin: { kind: 'schedule', brain: brain.name, by: 'schedule:fetch' },
      idempotencyKey: 'schedule:real:fetch:2025-06-10T12:01:00.000Z',
      input: { tags: ['news'], at: '2025-06-10T12:01:00.000Z' },
    });
    expect(task?.deadline).toBeDefined();
    expect(await routeMessages()).toBe(1);
  });

  it('after downtime runs the newest missed tick once, as a catch-up', async () => {
    const clock = manualClock('2025-06-10T12:00:30Z');
    const config = configFor(EVERY_MINUTE.replace('overlap', 'x'));
    let service = await startScheduler(config, clock);
    const registry = new PgSkillRegistry(db(), schema);
    await registry.register([manifest('scout.fetch-feeds')]);
    await service.stop();
    // Down from 12:00 to 12:42: 42 ticks missed.
    clock.set('2025-06-10T12:42:10Z');
    service = await startScheduler(config, clock);
    await service.loop!.settled();
    const all = await runs().runs('fetch', 100);
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({
      tickAt: '2025-06-10T12:42:00.000Z',
      trigger: 'catch-up',
      outcome: 'submitted',
    });
  });

  it('does not double a run still going: the tick is recorded as skipped, and the next one runs once it ended', async () => {
    const clock = manualClock('2025-06-10T12:00:30Z');
    const service = await startScheduler(configFor(EVERY_MINUTE), clock);
    await new PgSkillRegistry(db(), schema).register([manifest('scout.fetch-feeds')]);
    clock.set('2025-06-10T12:01:01Z');
    await pass(service);
    const [first] = await runs().runs('fetch', 10);
    const tasks = new PgTaskRepository(db(), schema);
    await tasks.transition(first!.taskId!, { to: 'working' });
    clock.set('2025-06-10T12:02:01Z');
    await pass(service);
    const [skipped] = await runs().runs('fetch', 10);
    expect(skipped).toMatchObject({
      tickAt: '2025-06-10T12:02:00.000Z',
      outcome: 'skipped-overlap',
      taskId: null,
    });
    expect(skipped!.reason).toContain(first!.taskId!);
    await tasks.transition(first!.taskId!, { to: 'completed', output: {} });
    clock.set('2025-06-10T12:03:01Z');
    await pass(service);
    const [third] = await runs().runs('fetch', 10);
    expect(third).toMatchObject({ tickAt: '2025-06-10T12:03:00.000Z', outcome: 'submitted' });
    expect(await routeMessages()).toBe(2);
  });

  it('runs a daily 01:30 once on the fall-back day and a daily 02:30 at 03:00 on the spring-forward day', async () => {
    const yaml = `
timeZone: America/Denver
schedules:
  - name: fall
    description: the repeated hour
    cron: "30 1 * * *"
    skill: scout.fetch-feeds
    overlap: allow
  - name: spring
    description: the missing hour
    cron: "30 2 * * *"
    skill: scout.fetch-feeds
    overlap: allow
`;
    const clock = manualClock('2025-03-09T06:00:00Z');
    const service = await startScheduler(configFor(yaml), clock);
    await new PgSkillRegistry(db(), schema).register([manifest('scout.fetch-feeds')]);
    // Every 15 minutes through each transition night, as a running scheduler would pass.
    for (const night of ['2025-03-09T06:00:00Z', '2025-11-02T06:00:00Z']) {
      for (let step = 0; step <= 20; step++) {
        clock.set(new Date(Date.parse(night) + step * 15 * 60_000).toISOString());
        await pass(service);
      }
    }
    const ticks = async (name: string) =>
      (await runs().runs(name, 20))
        .filter((r) => r.outcome === 'submitted' && r.trigger === 'tick')
        .map((r) => r.tickAt)
        .sort();
    // Spring: 02:30 does not exist, so 03:00 MDT (09:00Z); fall: the first 01:30 (MDT, 07:30Z) only.
    expect(await ticks('spring')).toEqual(['2025-03-09T09:00:00.000Z', '2025-11-02T09:30:00.000Z']);
    expect(await ticks('fall')).toEqual(['2025-03-09T08:30:00.000Z', '2025-11-02T07:30:00.000Z']);
    // The clock's jump from March to November is downtime: each schedule caught up once, no more.
    for (const name of ['spring', 'fall'])
      expect((await runs().runs(name, 20)).filter((r) => r.trigger === 'catch-up')).toHaveLength(1);
  });

  it('gives each tick to exactly one of two replicas', async () => {
    const clock = manualClock('2025-06-10T12:00:30Z');
    const yaml = EVERY_MINUTE.replace(
      'skill: scout.fetch-feeds',
      'skill: scout.fetch-feeds\n    overlap: allow',
    );
    const a = await startScheduler(configFor(yaml), clock);
    const b = await startScheduler(configFor(yaml), clock);
    await new PgSkillRegistry(db(), schema).register([manifest('scout.fetch-feeds')]);
    for (let minute = 1; minute <= 5; minute++) {
      clock.set(`2025-06-10T12:0${minute}:00Z`);
      // Both wake for the same tick at the same time.
      await Promise.all([pass(a), pass(b)]);
    }
    const all = await runs().runs('fetch', 100);
    expect(all.map((r) => r.tickAt).sort()).toEqual(
      [1, 2, 3, 4, 5].map((m) => `2025-06-10T12:0${m}:00.000Z`),
    );
    expect(all.every((r) => r.outcome === 'submitted')).toBe(true);
    expect(new Set(all.map((r) => r.taskId)).size).toBe(5);
    expect(await routeMessages()).toBe(5);
  });

  it('skips ticks of a schedule whose skill is missing, saying so, until an agent registers it', async () => {
    const clock = manualClock('2025-06-10T12:00:30Z');
    const service = await startScheduler(configFor(EVERY_MINUTE), clock);
    clock.set('2025-06-10T12:01:01Z');
    await pass(service);
    const [skipped] = await runs().runs('fetch', 10);
    expect(skipped).toMatchObject({ outcome: 'skipped-missing-skill' });
    expect(skipped!.reason).toMatch(/scout\.fetch-feeds is not registered/);
    await new PgSkillRegistry(db(), schema).register([manifest('scout.fetch-feeds')]);
    clock.set('2025-06-10T12:02:01Z');
    await pass(service);
    expect((await runs().runs('fetch', 10))[0]).toMatchObject({ outcome: 'submitted' });
  });

  it('answers list, run, pause and resume over NATS; a paused schedule does not run its ticks later', async () => {
    const clock = manualClock('2025-06-10T12:00:30Z');
    const service = await startScheduler(configFor(EVERY_MINUTE), clock);
    await new PgSkillRegistry(db(), schema).register([manifest('scout.fetch-feeds')]);
    const bus = await Bus.connect({ servers: brain.natsUrl, name: 'cli', brain: brain.name, logger: quiet });
    try {
      const ask = (req: unknown) =>
        bus.request(
          bus.subjects.schedulerControl,
          SchedulerControlRequest,
          req as never,
          SchedulerControlReply,
        );
      const list = await ask({ v: 1, op: 'list' });
      expect(list.op === 'list' && list.schedules[0]).toMatchObject({
        name: 'fetch',
        skillRegistered: true,
        tier: 'tool',
        paused: false,
        nextRunAt: '2025-06-10T12:01:00.000Z',
        lastRun: null,
      });
      const paused = await ask({ v: 1, op: 'pause', name: 'fetch', by: 'operator', reason: 'test' });
      expect(paused.op === 'pause' && paused.schedule).toMatchObject({
        paused: true,
        pausedBy: 'operator',
        nextRunAt: null,
      });
      clock.set('2025-06-10T12:05:01Z');
      await pass(service);
      expect(await runs().runs('fetch', 10)).toEqual([]);
      await ask({ v: 1, op: 'resume', name: 'fetch', by: 'operator' });
      await pass(service);
      expect(await runs().runs('fetch', 10)).toEqual([]); // the paused ticks are gone
      const manual = await ask({ v: 1, op: 'run', name: 'fetch', by: 'operator' });
      expect(manual.op === 'run' && manual.run).toMatchObject({
        trigger: 'manual',
        outcome: 'submitted',
        state: 'submitted',
      });
      expect(manual.op === 'run' && manual.schedule.lastRun?.trigger).toBe('manual');
      let error: unknown;
      try {
        await ask({ v: 1, op: 'run', name: 'nope', by: 'operator' });
      } catch (caught) {
        error = caught;
      }
      expect(isForgeError(error, 'NOT_FOUND')).toBe(true);
      expect((error as Error).message).toMatch(/no schedule "nope"; known: fetch/);
    } finally {
      await bus.drain();
    }
  });

  it('finishes a run another replica claimed and died on, with the same task', async () => {
    const clock = manualClock('2025-06-10T12:00:30Z');
    const config = configFor(EVERY_MINUTE);
    const service = createSchedulerService(config, {
      logger: quiet,
      clock,
      maxSleepMs: 60_000,
      stalePendingMs: 1,
      skillsTtlMs: 1,
    });
    services.push(service);
    await service.start();
    await new PgSkillRegistry(db(), schema).register([manifest('scout.fetch-feeds')]);
    // The dead replica's claim: a pending run and nothing else.
    const id = '6f1d1c2e-4a53-4a6e-9e0a-1d3f5b7c9e11';
    expect(
      await runs().claimTick({
        id,
        schedule: 'fetch',
        clock: 'real',
        tickAt: '2025-06-10T12:01:00.000Z',
        trigger: 'tick',
      }),
    ).toBe(true);
    await new Promise((r) => setTimeout(r, 20));
    await pass(service);
    const [run] = await runs().runs('fetch', 10);
    expect(run).toMatchObject({ id, outcome: 'submitted', taskId: id, taskState: 'submitted' });
    expect(await routeMessages()).toBe(1);
  });

  it('builds a sensor schedule’s input from its source at each tick', async () => {
    const server = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          room: '4',
          stage: 'late-flower',
          query: req.url,
          readings: [{ metric: 'vpd', value: 0.7, at: '2025-06-10T12:00:00Z' }],
        }),
      );
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const yaml = `
timeZone: UTC
schedules:
  - name: sensors
    description: room 4
    cron: "*/15 * * * *"
    skill: diary.sensor-alert
    overlap: allow
    input: { roomName: flower room 4, stage: veg }
    inputFrom:
      sensorReadings: { url: "\${FORGE_DAY_URL}/sensors/rooms/4/readings", minutes: 30 }
`;
    const clock = manualClock('2025-06-10T12:00:30Z');
    const service = await startScheduler(configFor(yaml, { FORGE_DAY_URL: url }), clock);
    await new PgSkillRegistry(db(), schema).register([manifest('diary.sensor-alert')]);
    clock.set('2025-06-10T12:15:02Z');
    await pass(service);
    const [run] = await runs().runs('sensors', 10);
    const task = await new PgTaskRepository(db(), schema).get(run!.taskId!);
    expect(task?.input).toEqual({
      room: '4',
      roomName: 'flower room 4',
      stage: 'veg', // the schedule's own field wins
      query: '/sensors/rooms/4/readings?minutes=30&step=5',
      readings: [{ metric: 'vpd', value: 0.7, at: '2025-06-10T12:00:00Z' }],
    });
    // A source that fails is recorded, not retried.
    server.close();
    clock.set('2025-06-10T12:30:02Z');
    await pass(service);
    const [failed] = await runs().runs('sensors', 10);
    expect(failed).toMatchObject({ outcome: 'failed-input' });
    expect(failed!.reason).toMatch(
      /^inputFrom\.sensorReadings http:\/\/127\.0\.0\.1:\d+\/sensors\/rooms\/4\/readings: /,
    );
  });

  it('fetches mentions from the previous run’s tick: across the night, catch-up and at most maxMinutes back', async () => {
    const asked: string[] = [];
    const server = createServer((req, res) => {
      asked.push(req.url!);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          mentions: [
            {
              id: `m-${asked.length}`,
              author: '@someone',
              text: 'where is the store?',
              at: '2025-06-10T12:00:00Z',
            },
          ],
        }),
      );
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const yaml = `
timeZone: UTC
schedules:
  - name: mentions
    description: triage
    cron: "*/15 7-22 * * *"
    skill: engagement.triage-mentions
    overlap: allow
    inputFrom:
      mentions: { url: "\${FORGE_DAY_URL}/mentions", minutes: 15, maxMinutes: 600 }
`;
    const clock = manualClock('2025-06-10T22:30:30Z');
    const service = await startScheduler(configFor(yaml, { FORGE_DAY_URL: url }), clock);
    await new PgSkillRegistry(db(), schema).register([manifest('engagement.triage-mentions')]);
    const window = () => {
      const query = new URL(asked.at(-1)!, 'http://x').searchParams;
      return { minutes: query.get('minutes'), until: query.get('until') };
    };
    // The first run has no earlier one: its own 15 minutes.
    clock.set('2025-06-10T22:45:02Z');
    await pass(service);
    expect(window()).toEqual({ minutes: '15', until: '2025-06-10T22:45:00.000Z' });
    // The morning's first tick covers the night since 22:45.
    clock.set('2025-06-11T07:00:02Z');
    await pass(service);
    expect(window()).toEqual({ minutes: '495', until: '2025-06-11T07:00:00.000Z' });
    // 07:15 and 07:30 missed (catch-up runs 07:45 only): its window starts at 07:00.
    clock.set('2025-06-11T07:45:02Z');
    await pass(service);
    expect(window()).toEqual({ minutes: '45', until: '2025-06-11T07:45:00.000Z' });
    // Two days away: no further back than maxMinutes.
    clock.set('2025-06-13T08:00:02Z');
    await pass(service);
    expect(window()).toEqual({ minutes: '600', until: '2025-06-13T08:00:00.000Z' });
    const all = await runs().runs('mentions', 10);
    expect(all.map((r) => r.outcome)).toEqual(['submitted', 'submitted', 'submitted', 'submitted']);
  });
});
