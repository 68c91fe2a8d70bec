import type { ScheduleRunOutcome, ScheduleRunTrigger, TaskState, Tier } from '@forge/contracts';
import type pg from 'pg';
import { withPgErrors } from './pg-errors.js';
import { qualified } from './schema-name.js';

/** A run row before its outcome is known: claimed, its task not yet submitted. */
export interface PendingRun {
  id: string;
  schedule: string;
  clock: string;
  tickAt: string;
  trigger: ScheduleRunTrigger;
  createdAt: string;
}

/** A run as `forge schedule list` shows it: the row joined with its task. */
export interface ScheduleRunRecord {
  id: string;
  schedule: string;
  clock: string;
  tickAt: string;
  trigger: ScheduleRunTrigger;
  /** `pending` while the claiming replica is still submitting (or died doing so). */
  outcome: ScheduleRunOutcome;
  reason: string | null;
  taskId: string | null;
  taskState: TaskState | null;
  tier: Tier | null;
  error: { code: string; message: string } | null;
  createdAt: string;
  taskUpdatedAt: string | null;
}

export interface SchedulePause {
  schedule: string;
  pausedBy: string;
  reason: string | null;
  pausedAt: string;
}

/**
 * The scheduler's shared state (migration 0011): the last tick each schedule claimed per clock,
 * pauses, and one row per run. `claimTick` is what makes a tick run once across replicas.
 */
export interface ScheduleRepository {
  /**
   * Claims `tickAt` for the schedule on `clock` when it is newer than the last claimed tick, and in
   * the same transaction inserts the run row (`pending`, id `runId`). True when this caller got it;
   * false when another replica claimed this tick or a newer one. Ticks only move forward.
   */
  claimTick(run: Omit<PendingRun, 'createdAt'>): Promise<boolean>;
  /**
   * Moves the last claimed tick forward without a run (a paused schedule, a missed tick the
   * schedule does not catch up): those ticks never run later. False when the tick is not newer.
   */
  advanceTick(schedule: string, clock: string, tickAt: string): Promise<boolean>;
  /**
   * Sets the starting point of a schedule that has never ticked on `clock` (so a new schedule does
   * not run ticks from before it existed). No-op when it has a last tick already.
   */
  baseline(schedule: string, clock: string, tickAt: string): Promise<void>;
  /** The last claimed tick of every schedule on `clock`. */
  lastTicks(clock: string): Promise<Map<string, string>>;
  /** A manual run: its row, `pending`, outside the tick sequence. */
  insertManualRun(run: Omit<PendingRun, 'createdAt' | 'trigger'>): Promise<void>;
  /** Sets the outcome of a pending run (once: a run that is no longer pending is left alone). */
  finishRun(
    id: string,
    outcome: Exclude<ScheduleRunOutcome, 'pending'>,
    detail: { reason?: string; taskId?: string },
  ): Promise<boolean>;
  /** Runs still pending after `olderThanMs`: their replica died between claim and submission. */
  stalePending(olderThanMs: number, limit: number): Promise<PendingRun[]>;
  /** The newest run of each schedule, with its task's state. */
  latestRuns(): Promise<Map<string, ScheduleRunRecord>>;
  /** Recent runs of one schedule, newest first. */
  runs(schedule: string, limit: number): Promise<ScheduleRunRecord[]>;
  /**
   * The newest submitted run of the schedule whose task has not ended, is not waiting for a
   * person (input-required, auth-required), and is not past its deadline; null when none is.
   */
  openRun(schedule: string): Promise<ScheduleRunRecord | null>;
  /**
   * The tick of the newest run of the schedule on `clock` before `before` whose input window was
   * fetched (outcome `submitted` or `skipped-no-input`); null when there is none. Where the next
   * window of a windowed source (mentions) starts, so ticks skipped or not scheduled lose nothing.
   */
  previousWindowEnd(schedule: string, clock: string, before: string): Promise<string | null>;
  pauses(): Promise<Map<string, SchedulePause>>;
  /** Pauses (again: the newest who/why wins). */
  pause(schedule: string, by: string, reason?: string): Promise<SchedulePause>;
  /** True when it was paused. */
  resume(schedule: string): Promise<boolean>;
}

interface RunRow {
  id: string;
  schedule: string;
  clock: string;
  tick_at: Date;
  trigger: ScheduleRunTrigger;
  outcome: ScheduleRunOutcome;
  reason: string | null;
  task_id: string | null;
  created_at: Date;
  state: TaskState | null;
  tier: Tier | null;
  error: { code: string; message: string } | null;
  task_updated_at: Date | null;
}

/** ScheduleRepository over one brain's schedule tables (and its `tasks`, for run states). */
export class PgScheduleRepository implements ScheduleRepository {
  readonly #pool: pg.Pool;
  readonly #ticks: string;
  readonly #runs: string;
  readonly #pauses: string;
  readonly #tasks: string;

  constructor(pool: pg.Pool, schema: string) {
    this.#pool = pool;
    this.#ticks = qualified(schema, 'schedule_ticks');
    this.#runs = qualified(schema, 'schedule_runs');
    this.#pauses = qualified(schema, 'schedule_pauses');
    this.#tasks = qualified(schema, 'tasks');
  }

  async claimTick(run: Omit<PendingRun, 'createdAt'>): Promise<boolean> {
    // One statement, so it is atomic without an explicit transaction. The compare-and-set only
    // moves forward: a concurrent claim of the same tick waits on the row lock, re-checks the
    // condition, finds it false and inserts no run.
    const result = await this.#query(
      `WITH claimed AS (
         INSERT INTO ${this.#ticks} (schedule, clock, last_tick_at) VALUES ($2, $3, $4)
         ON CONFLICT (schedule, clock) DO UPDATE SET last_tick_at = EXCLUDED.last_tick_at, updated_at = now()
           WHERE ${this.#ticks}.last_tick_at < EXCLUDED.last_tick_at
         RETURNING schedule)
       INSERT INTO ${this.#runs} (id, schedule, clock, tick_at, trigger, outcome)
       SELECT $1, $2, $3, $4, $5, 'pending' FROM claimed
       RETURNING id`,
      [run.id, run.schedule, run.clock, run.tickAt, run.trigger],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async advanceTick(schedule: string, clock: string, tickAt: string): Promise<boolean> {
    const result = await this.#query(
      `INSERT INTO ${this.#ticks} (schedule, clock, last_tick_at) VALUES ($1, $2, $3)
       ON CONFLICT (schedule, clock) DO UPDATE SET last_tick_at = EXCLUDED.last_tick_at, updated_at = now()
         WHERE ${this.#ticks}.last_tick_at < EXCLUDED.last_tick_at`,
      [schedule, clock, tickAt],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async baseline(schedule: string, clock: string, tickAt: string): Promise<void> {
    await this.#query(
      `INSERT INTO ${this.#ticks} (schedule, clock, last_tick_at) VALUES ($1, $2, $3)
       ON CONFLICT (schedule, clock) DO NOTHING`,
      [schedule, clock, tickAt],
    );
  }

  async lastTicks(clock: string): Promise<Map<string, string>> {
    const result = await this.#query<{ schedule: string; last_tick_at: Date }>(
      `SELECT schedule, last_tick_at FROM ${this.#ticks} WHERE clock = $1`,
      [clock],
    );
    return new Map(result.rows.map((r) => [r.schedule, r.last_tick_at.toISOString()]));
  }

  async insertManualRun(run: Omit<PendingRun, 'createdAt' | 'trigger'>): Promise<void> {
    await this.#query(
      `INSERT INTO ${this.#runs} (id, schedule, clock, tick_at, trigger, outcome)
       VALUES ($1, $2, $3, $4, 'manual', 'pending')`,
      [run.id, run.schedule, run.clock, run.tickAt],
    );
  }

  async finishRun(
    id: string,
    outcome: Exclude<ScheduleRunOutcome, 'pending'>,
    detail: { reason?: string; taskId?: string },
  ): Promise<boolean> {
    const result = await this.#query(
      `UPDATE ${this.#runs} SET outcome = $2, reason = $3, task_id = COALESCE($4, task_id)
       WHERE id = $1 AND outcome = 'pending'`,
      [id, outcome, detail.reason?.slice(0, 2000) ?? null, detail.taskId ?? null],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async stalePending(olderThanMs: number, limit: number): Promise<PendingRun[]> {
    const result = await this.#query<RunRow>(
      `SELECT id, schedule, clock, tick_at, trigger, created_at FROM ${this.#runs}
       WHERE outcome = 'pending' AND created_at < now() - make_interval(secs => $1::double precision / 1000)
       ORDER BY created_at LIMIT $2`,
      [olderThanMs, limit],
    );
    return result.rows.map((r) => ({
      id: r.id,
      schedule: r.schedule,
      clock: r.clock,
      tickAt: r.tick_at.toISOString(),
      trigger: r.trigger,
      createdAt: r.created_at.toISOString(),
    }));
  }

  async latestRuns(): Promise<Map<string, ScheduleRunRecord>> {
    const result = await this.#query<RunRow>(
      `SELECT DISTINCT ON (r.schedule) ${this.#runColumns()}
       FROM ${this.#runs} r LEFT JOIN ${this.#tasks} t ON t.id = r.task_id
       ORDER BY r.schedule, r.created_at DESC, r.id`,
    );
    return new Map(result.rows.map((row) => [row.schedule, toRun(row)]));
  }

  async runs(schedule: string, limit: number): Promise<ScheduleRunRecord[]> {
    const result = await this.#query<RunRow>(
      `SELECT ${this.#runColumns()} FROM ${this.#runs} r LEFT JOIN ${this.#tasks} t ON t.id = r.task_id
       WHERE r.schedule = $1 ORDER BY r.created_at DESC, r.id LIMIT $2`,
      [schedule, limit],
    );
    return result.rows.map(toRun);
  }

  async openRun(schedule: string): Promise<ScheduleRunRecord | null> {
    const result = await this.#query<RunRow>(
      `SELECT ${this.#runColumns()} FROM ${this.#runs} r JOIN ${this.#tasks} t ON t.id = r.task_id
       WHERE r.schedule = $1 AND r.outcome = 'submitted'
         AND t.state IN ('submitted', 'working')
         AND (t.deadline IS NULL OR t.deadline > now())
       ORDER BY r.created_at DESC LIMIT 1`,
      [schedule],
    );
    const row = result.rows[0];
    return row ? toRun(row) : null;
  }

  async previousWindowEnd(schedule: string, clock: string, before: string): Promise<string | null> {
    const result = await this.#query<{ tick_at: Date | null }>(
      `SELECT max(tick_at) AS tick_at FROM ${this.#runs}
       WHERE schedule = $1 AND clock = $2 AND tick_at < $3
         AND outcome IN ('submitted', 'skipped-no-input')`,
      [schedule, clock, before],
    );
    return result.rows[0]?.tick_at?.toISOString() ?? null;
  }

  async pauses(): Promise<Map<string, SchedulePause>> {
    const result = await this.#query<{
      schedule: string;
      paused_by: string;
      reason: string | null;
      paused_at: Date;
    }>(`SELECT schedule, paused_by, reason, paused_at FROM ${this.#pauses}`);
    return new Map(result.rows.map((r) => [r.schedule, toPause(r)]));
  }

  async pause(schedule: string, by: string, reason?: string): Promise<SchedulePause> {
    const result = await this.#query<{
      schedule: string;
      paused_by: string;
      reason: string | null;
      paused_at: Date;
    }>(
      `INSERT INTO ${this.#pauses} (schedule, paused_by, reason) VALUES ($1, $2, $3)
       ON CONFLICT (schedule) DO UPDATE SET paused_by = EXCLUDED.paused_by, reason = EXCLUDED.reason,
         paused_at = now()
       RETURNING schedule, paused_by, reason, paused_at`,
      [schedule, by, reason ?? null],
    );
    return toPause(result.rows[0]!);
  }

  async resume(schedule: string): Promise<boolean> {
    const result = await this.#query(`DELETE FROM ${this.#pauses} WHERE schedule = $1`, [schedule]);
    return (result.rowCount ?? 0) > 0;
  }

  #runColumns(): string {
    return `r.id, r.schedule, r.clock, r.tick_at, r.trigger, r.outcome, r.reason, r.task_id, r.created_at,
      t.state, t.routing->>'tier' AS tier, t.error, t.updated_at AS task_updated_at`;
  }

  #query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    return withPgErrors('schedule repository', () => this.#pool.query<R>(text, values));
  }
}

function toRun(row: RunRow): ScheduleRunRecord {
  return {
    id: row.id,
    schedule: row.schedule,
    clock: row.clock,
    tickAt: row.tick_at.toISOString(),
    trigger: row.trigger,
    outcome: row.outcome,
    reason: row.reason,
    taskId: row.task_id,
    taskState: row.state ?? null,
    tier: row.tier ?? null,
    error: row.error ?? null,
    createdAt: row.created_at.toISOString(),
    taskUpdatedAt: row.task_updated_at ? row.task_updated_at.toISOString() : null,
  };
}

function toPause(row: {
  schedule: string;
  paused_by: string;
  reason: string | null;
  paused_at: Date;
}): SchedulePause {
  return {
    schedule: row.schedule,
    pausedBy: row.paused_by,
    reason: row.reason,
    pausedAt: row.paused_at.toISOString(),
  };
}
