import { randomUUID } from 'node:crypto';
import type { ScheduleRepository } from '@forge/store';
import type { Logger } from '@forge/telemetry';
import type { SchedulerClock } from './clock.js';
import { type ClaimedRun, type SubmitDeps, submitRun } from './run-submitter.js';
import type { Schedule, Schedules } from './schedules-config.js';

export interface TickLoopDeps {
  schedules: Schedules;
  clock: SchedulerClock;
  runs: ScheduleRepository;
  submit: SubmitDeps;
  logger: Logger;
  /** Longest sleep between passes (pauses, other replicas' claims and stuck runs are noticed by then). */
  maxSleepMs?: number;
  /** A run still pending after this long (real time) was left by a replica that died: finish it. */
  stalePendingMs?: number;
}

const MIN_SLEEP_MS = 20;

/**
 * The scheduler's heart. Each pass, for every enabled schedule: a schedule that never ticked on
 * this clock starts from now (its past ticks do not run); a paused one moves its last tick along
 * without running; otherwise the newest due tick (only the newest, so downtime costs one run, not
 * N) is claimed with a forward-only compare-and-set in Postgres, and whichever replica wins submits
 * it. Then runs another replica left pending are finished, and the loop sleeps until the next tick.
 */
export class TickLoop {
  readonly #deps: TickLoopDeps;
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #inFlightRuns = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #pass: Promise<void> | undefined;
  #passes = 0;
  #passing = false;
  #again = false;

  constructor(deps: TickLoopDeps) {
    this.#deps = deps;
  }

  /** Runs a first pass (so start-up catches up at once), then keeps ticking. */
  async start(): Promise<void> {
    this.#running = true;
    await this.#runPass();
  }

  /** Stops ticking and waits (up to `graceMs`) for submissions in flight. */
  async stop(graceMs = 5_000): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    await this.#pass?.catch(() => undefined);
    const settled = Promise.allSettled([...this.#inFlight]);
    await Promise.race([settled, new Promise((resolve) => setTimeout(resolve, graceMs).unref())]);
  }

  /** Resolves when the pass under way (if any) and every submission in flight have settled. */
  async settled(): Promise<void> {
    await this.#pass?.catch(() => undefined);
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  /** Runs one pass now (after the one under way, if any) and waits for it and what it submitted. */
  async passNow(): Promise<void> {
    while (this.#passing) await this.#pass;
    clearTimeout(this.#timer);
    await this.#runPass();
    await this.settled();
  }

  /** Passes completed (for tests and status). */
  get passes(): number {
    return this.#passes;
  }

  /** Wakes the loop now (after a resume or a manual change). */
  wake(): void {
    if (!this.#running) return;
    // Passes never overlap: one under way is followed by another at once.
    if (this.#passing) {
      this.#again = true;
      return;
    }
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#runPass(), 0);
  }

  /** Runs one submission in the loop's bookkeeping, so stop() waits for it. */
  track<T>(runId: string, work: Promise<T>): Promise<T> {
    this.#inFlightRuns.add(runId);
    const tracked = work.finally(() => {
      this.#inFlight.delete(tracked);
      this.#inFlightRuns.delete(runId);
    });
    this.#inFlight.add(tracked);
    return tracked;
  }

  async #runPass(): Promise<void> {
    if (!this.#running || this.#passing) return;
    this.#passing = true;
    this.#again = false;
    let sleep = this.#deps.maxSleepMs ?? 15_000;
    const pass = this.#tickOnce().then(
      (next) => {
        sleep = next;
      },
      (error: unknown) => {
        this.#deps.logger.error(
          { err: (error as Error).message },
          'scheduler pass failed; trying again shortly',
        );
        sleep = Math.min(sleep, 2_000);
      },
    );
    this.#pass = pass;
    await pass;
    this.#passes++;
    this.#passing = false;
    if (!this.#running) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#runPass(), this.#again ? 0 : Math.max(MIN_SLEEP_MS, sleep));
  }

  /** One pass over every schedule; returns how long to sleep (real ms) until the next tick. */
  async #tickOnce(): Promise<number> {
    const { clock, runs, schedules, logger } = this.#deps;
    const now = clock.now();
    const [last, pauses] = await Promise.all([runs.lastTicks(clock.id), runs.pauses()]);
    let nextWake = this.#deps.maxSleepMs ?? 15_000;
    for (const schedule of schedules.list) {
      if (!schedule.enabled) continue;
      const lastTick = last.get(schedule.name);
      let from = lastTick ? new Date(lastTick) : null;
      if (from === null) {
        // First sight of this schedule on this clock: it starts now.
        const start = schedule.cronSchedule.latestAtOrBefore(now) ?? now;
        await runs.baseline(schedule.name, clock.id, start.toISOString());
        from = start;
      } else {
        const due = schedule.cronSchedule.due(now, from);
        if (due) {
          await this.#onDue(schedule, due, from, now, pauses.has(schedule.name));
          from = due;
        }
      }
      const next = schedule.cronSchedule.nextAfter(new Date(Math.max(from.getTime(), now.getTime())));
      if (next) nextWake = Math.min(nextWake, clock.realDelayUntil(next));
    }
    await this.#recoverPending();
    logger.debug({ nextWakeMs: nextWake }, 'scheduler pass done');
    return nextWake;
  }

  async #onDue(schedule: Schedule, due: Date, from: Date, now: Date, paused: boolean): Promise<void> {
    const { clock, runs, schedules, logger } = this.#deps;
    const late = now.getTime() - due.getTime() > schedules.lateAfterMs;
    // Ticks between the last claimed one and this one never ran: this run stands in for them.
    const missed = (schedule.cronSchedule.nextAfter(from)?.getTime() ?? due.getTime()) < due.getTime();
    if (paused || (late && schedule.catchUp === 'skip')) {
      if (await runs.advanceTick(schedule.name, clock.id, due.toISOString())) {
        logger.info(
          { schedule: schedule.name, tickAt: due.toISOString() },
          paused
            ? `${schedule.name}: paused, tick not run`
            : `${schedule.name}: missed tick dropped (catchUp: skip)`,
        );
      }
      return;
    }
    const run: ClaimedRun = { id: randomUUID(), tickAt: due, trigger: late || missed ? 'catch-up' : 'tick' };
    const won = await runs.claimTick({
      id: run.id,
      schedule: schedule.name,
      clock: clock.id,
      tickAt: due.toISOString(),
      trigger: run.trigger,
    });
    if (!won) return; // another replica has this tick (or a newer one)
    if (run.trigger === 'catch-up')
      logger.info(
        { schedule: schedule.name, tickAt: due.toISOString(), lastTick: from.toISOString() },
        `${schedule.name}: catching up: the latest missed tick runs once`,
      );
    void this.track(run.id, submitRun(this.#deps.submit, schedule, run)).catch(() => undefined);
  }

  /** Finishes runs a replica claimed and then died on (or that failed transiently here). */
  async #recoverPending(): Promise<void> {
    const { runs, schedules, clock, logger } = this.#deps;
    const stale = await runs.stalePending(this.#deps.stalePendingMs ?? 30_000, 20);
    for (const pending of stale) {
      if (this.#inFlightRuns.has(pending.id)) continue;
      const schedule = schedules.byName.get(pending.schedule);
      if (!schedule || pending.clock !== clock.id) {
        if (!schedule)
          await runs.finishRun(pending.id, 'failed-submit', {
            reason: 'the schedule is no longer in the config',
          });
        continue;
      }
      logger.info(
        { schedule: schedule.name, runId: pending.id },
        `${schedule.name}: finishing a run left pending`,
      );
      const run: ClaimedRun = { id: pending.id, tickAt: new Date(pending.tickAt), trigger: pending.trigger };
      void this.track(run.id, submitRun(this.#deps.submit, schedule, run)).catch(() => undefined);
    }
  }
}
