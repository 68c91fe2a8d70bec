import { randomUUID } from 'node:crypto';
import { type TestBrain, testBrain } from '@forge/testkit';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelope, quietLogger } from '../test/fixtures.js';
import { migrate } from './migrate.js';
import { PgTaskRepository } from './pg-task-repository.js';
import { createPool } from './pool.js';
import { PgScheduleRepository } from './schedule-repository.js';
import { schemaForBrain } from './schema-name.js';

describe('PgScheduleRepository', () => {
  let brain: TestBrain;
  let pools: pg.Pool[];
  let repo: PgScheduleRepository;
  let other: PgScheduleRepository;
  let tasks: PgTaskRepository;

  beforeAll(async () => {
    brain = await testBrain('sched');
    const schema = schemaForBrain(brain.name);
    await migrate({ databaseUrl: brain.databaseUrl, schema, logger: quietLogger() });
    // Two pools stand for two scheduler replicas.
    pools = [0, 1].map(() =>
      createPool({ connectionString: brain.databaseUrl, max: 4, logger: quietLogger() }),
    );
    repo = new PgScheduleRepository(pools[0]!, schema);
    other = new PgScheduleRepository(pools[1]!, schema);
    tasks = new PgTaskRepository(pools[0]!, schema);
  });
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end()));
    await brain.cleanup();
  });

  const claim = (r: PgScheduleRepository, schedule: string, tickAt: string, clock = 'real') =>
    r.claimTick({ id: randomUUID(), schedule, clock, tickAt, trigger: 'tick' });

  it('gives a tick to exactly one of many concurrent claimers', async () => {
    const tick = '2025-06-10T12:00:00.000Z';
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => claim(i % 2 ? repo : other, 'race', tick)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await repo.runs('race', 10)).length).toBe(1);
  });

  it('only moves forward: an older tick after a newer one is refused', async () => {
    expect(await claim(repo, 'forward', '2025-06-10T12:30:00.000Z')).toBe(true);
    expect(await claim(other, 'forward', '2025-06-10T12:00:00.000Z')).toBe(false);
    expect(await claim(other, 'forward', '2025-06-10T12:30:00.000Z')).toBe(false);
    expect(await claim(other, 'forward', '2025-06-10T13:00:00.000Z')).toBe(true);
    // Another clock (a fast day) keeps its own sequence.
    expect(await claim(repo, 'forward', '2025-06-10T12:00:00.000Z', 'fast@x')).toBe(true);
    expect((await repo.lastTicks('real')).get('forward')).toBe('2025-06-10T13:00:00.000Z');
  });

  it('sets a baseline only for a schedule that never ticked', async () => {
    await repo.baseline('fresh', 'real', '2025-06-10T10:00:00.000Z');
    await repo.baseline('fresh', 'real', '2025-06-10T11:00:00.000Z');
    expect((await repo.lastTicks('real')).get('fresh')).toBe('2025-06-10T10:00:00.000Z');
    expect(await claim(repo, 'fresh', '2025-06-10T10:00:00.000Z')).toBe(false);
  });

  it('finishes a pending run once, finds stale pending runs, and joins the task state', async () => {
    const id = randomUUID();
    expect(
      await repo.claimTick({
        id,
        schedule: 'job',
        clock: 'real',
        tickAt: '2025-06-10T12:00:00.000Z',
        trigger: 'catch-up',
      }),
    ).toBe(true);
    expect((await repo.stalePending(0, 10)).map((r) => r.id)).toContain(id);
    expect((await repo.stalePending(60_000, 10)).map((r) => r.id)).not.toContain(id);
    const task = envelope({ skill: 'scout.fetch-feeds', owner: 'schedule:job' });
    await tasks.create(task);
    expect(await repo.finishRun(id, 'submitted', { taskId: task.id })).toBe(true);
    expect(await repo.finishRun(id, 'failed-submit', { reason: 'late' })).toBe(false);
    const latest = (await repo.latestRuns()).get('job')!;
    expect(latest).toMatchObject({
      id,
      outcome: 'submitted',
      trigger: 'catch-up',
      taskId: task.id,
      taskState: 'submitted',
    });
    // A task still going is the open run; once it ends there is none.
    expect((await repo.openRun('job'))?.taskId).toBe(task.id);
    await tasks.transition(task.id, { to: 'working' });
    expect((await repo.openRun('job'))?.taskState).toBe('working');
    await tasks.transition(task.id, { to: 'input-required', message: 'a person must look' });
    expect(await repo.openRun('job')).toBeNull();
    await tasks.transition(task.id, { to: 'working' });
    await tasks.transition(task.id, { to: 'completed', output: { ok: true } });
    expect(await repo.openRun('job')).toBeNull();
  });

  it('treats a task past its deadline as not open', async () => {
    const id = randomUUID();
    await repo.claimTick({
      id,
      schedule: 'late',
      clock: 'real',
      tickAt: '2025-06-10T12:00:00.000Z',
      trigger: 'tick',
    });
    const task = envelope({ owner: 'schedule:late', deadline: new Date(Date.now() - 1000).toISOString() });
    await tasks.create(task);
    await repo.finishRun(id, 'submitted', { taskId: task.id });
    expect(await repo.openRun('late')).toBeNull();
  });

  it('pauses and resumes, keeping who paused', async () => {
    const pause = await repo.pause('job', 'operator', 'vacation');
    expect(pause).toMatchObject({ schedule: 'job', pausedBy: 'operator', reason: 'vacation' });
    expect((await other.pauses()).get('job')?.pausedBy).toBe('operator');
    expect(await other.resume('job')).toBe(true);
    expect(await other.resume('job')).toBe(false);
    expect((await repo.pauses()).has('job')).toBe(false);
  });
});
