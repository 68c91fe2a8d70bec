import { ForgeError } from '@forge/contracts';
import { Cron } from 'croner';

/**
 * A schedule's cron expression in its time zone (croner). Standard five fields (minute precision)
 * or six with seconds. DST follows cron practice: a fixed-time job whose time falls in the
 * spring-forward gap runs at the first valid time after it (02:30 → 03:00), and once when the
 * time repeats in the autumn (the first 01:30); interval jobs (`*\/30`) keep their real-time
 * interval, skipping the missing times and running on both repeated ones.
 */
export class CronSchedule {
  readonly #cron: Cron;

  constructor(
    readonly expression: string,
    readonly timeZone: string,
  ) {
    try {
      this.#cron = new Cron(expression, { timezone: timeZone, paused: true, mode: '5-or-6-parts' });
    } catch (error) {
      throw new ForgeError(
        'BAD_CONFIG',
        `cron "${expression}": ${(error as Error).message.replace(/^CronPattern: /, '')}`,
        {
          retryable: false,
          cause: error,
        },
      );
    }
  }

  /** The first tick strictly after `at`, or null when the expression never fires again. */
  nextAfter(at: Date): Date | null {
    return this.#cron.nextRun(at);
  }

  /** The latest tick at or before `at`, or null when there is none. */
  latestAtOrBefore(at: Date): Date | null {
    // previousRuns is exclusive of its reference; a tick exactly at `at` counts as due.
    return this.#cron.previousRuns(1, new Date(at.getTime() + 1))[0] ?? null;
  }

  /**
   * The one tick to run at `now` when the last claimed tick is `last`: the latest tick in
   * (last, now], or null when none is due. After downtime that is the newest missed tick only, so
   * a schedule that missed N ticks runs once, not N times.
   */
  due(now: Date, last: Date): Date | null {
    const latest = this.latestAtOrBefore(now);
    return latest && latest.getTime() > last.getTime() ? latest : null;
  }
}
