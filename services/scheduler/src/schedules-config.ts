import { ScheduleName, SkillRef } from '@forge/contracts';
import { loadYamlConfigFile, parseYamlConfig } from '@forge/yaml-config';
import { isValidTimeZone } from '@forge/zoned-time';
import { z } from 'zod';
import { CronSchedule } from './cron.js';

const TimeZone = z.string().refine(isValidTimeZone, 'must be an IANA time zone such as America/Denver');

const SourceUrl = z.url({ protocol: /^https?$/ });

/**
 * Where part of a task's input comes from at each tick (the "query that builds it"): one HTTP
 * source on the offline day (or a gateway of the operator's) whose answer is validated and joins
 * the input. The schedule's own `input` fields win over the source's.
 */
const InputFrom = z
  .strictObject({
    /**
     * A room's sensor readings over the last `minutes`: the source answers
     * `{ room, roomName?, stage?, readings: [...] }` and its fields join the input.
     */
    sensorReadings: z
      .strictObject({
        url: SourceUrl,
        minutes: z
          .number()
          .int()
          .min(1)
          .max(31 * 24 * 60),
        stepMinutes: z.number().int().min(1).max(60).default(5),
      })
      .optional(),
    /**
     * The licence's METRC-like seed-to-sale records as of the tick: the source answers a
     * `SeedToSaleRecords` document (contracts), which becomes the input's `records`.
     */
    seedToSaleRecords: z.strictObject({ url: SourceUrl }).optional(),
    /**
     * Inbound mentions since the previous run's tick (the first run: the last `minutes`; never more
     * than `maxMinutes`), up to the tick: the source answers `{ mentions: [...] }` (contracts
     * `InboundMentions`), which becomes the input's `mentions`. A window with none records the tick
     * `skipped-no-input` instead of making a task for an empty batch.
     */
    mentions: z
      .strictObject({
        url: SourceUrl,
        /** The window of a schedule's first run (no earlier run to start from). */
        minutes: z
          .number()
          .int()
          .min(1)
          .max(24 * 60),
        /**
         * Later windows start at the previous run's tick (submitted or with nothing to do), so
         * the night, catch-up and overlap lose no mention; at most this far back.
         */
        maxMinutes: z
          .number()
          .int()
          .min(1)
          .max(24 * 60)
          .default(24 * 60),
      })
      .optional(),
  })
  .refine((from) => Object.values(from).filter(Boolean).length === 1, {
    message: 'name exactly one source: sensorReadings, seedToSaleRecords or mentions',
  });
export type InputFrom = z.output<typeof InputFrom>;

export const ScheduleConfig = z.strictObject({
  name: ScheduleName,
  description: z.string().trim().min(1).max(500),
  /** Five fields (minute precision), or six with seconds first. */
  cron: z.string().trim().min(1).max(200),
  /** Default: the file's `timeZone`. */
  timeZone: TimeZone.optional(),
  /** `<agent>.<skill>`: validated against the skill registry at start-up and before every tick. */
  skill: SkillRef,
  /**
   * The task's input. String values may name the tick: `{{tick.iso}}`, `{{tick.date}}` (the local
   * date in the schedule's zone), `{{tick.date-7d}}` / `{{tick.date+1d}}`.
   */
  input: z.record(z.string(), z.unknown()).default({}),
  inputFrom: InputFrom.optional(),
  /** The task's deadline after its tick; a task past it no longer holds back the next tick. */
  timeoutMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .optional(),
  /** `skip`: a tick while the previous run is still going is recorded and skipped, not doubled. */
  overlap: z.enum(['skip', 'allow']).default('skip'),
  /** `latest`: after downtime the newest missed tick runs once; `skip`: missed ticks are dropped. */
  catchUp: z.enum(['latest', 'skip']).default('latest'),
  enabled: z.boolean().default(true),
});
export type ScheduleConfig = z.output<typeof ScheduleConfig>;

export const SchedulesFile = z
  .strictObject({
    /** The operator's zone: crons without their own `timeZone` run on its wall clock. */
    timeZone: TimeZone.default('UTC'),
    timeoutMinutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(30),
    /** A tick claimed later than this after its time is recorded as a catch-up. */
    lateAfterSeconds: z.number().int().min(1).max(3600).default(60),
    schedules: z.array(ScheduleConfig).max(200),
  })
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.schedules.forEach((schedule, i) => {
      if (seen.has(schedule.name))
        ctx.addIssue({
          code: 'custom',
          path: ['schedules', i, 'name'],
          message: `duplicate schedule "${schedule.name}"`,
        });
      seen.add(schedule.name);
      try {
        new CronSchedule(schedule.cron, schedule.timeZone ?? file.timeZone);
      } catch (error) {
        ctx.addIssue({ code: 'custom', path: ['schedules', i, 'cron'], message: (error as Error).message });
      }
    });
  });
export type SchedulesFile = z.output<typeof SchedulesFile>;

/** A schedule ready to tick: its config with the file's defaults applied and its cron compiled. */
export interface Schedule extends Omit<ScheduleConfig, 'timeZone' | 'timeoutMinutes'> {
  timeZone: string;
  timeoutMinutes: number;
  cronSchedule: CronSchedule;
}

export interface Schedules {
  lateAfterMs: number;
  list: Schedule[];
  byName: ReadonlyMap<string, Schedule>;
}

export function compileSchedules(file: SchedulesFile): Schedules {
  const list = file.schedules.map((s) => {
    const timeZone = s.timeZone ?? file.timeZone;
    return {
      ...s,
      timeZone,
      timeoutMinutes: s.timeoutMinutes ?? file.timeoutMinutes,
      cronSchedule: new CronSchedule(s.cron, timeZone),
    };
  });
  return { lateAfterMs: file.lateAfterSeconds * 1000, list, byName: new Map(list.map((s) => [s.name, s])) };
}

const OPTIONS = (vars: Readonly<Record<string, string | undefined>>) => ({ what: 'schedules config', vars });

/** Reads `config/schedules.yaml` (or another file); BAD_CONFIG lists every issue with field and line. */
export async function loadSchedules(
  path: string,
  vars: Readonly<Record<string, string | undefined>>,
): Promise<Schedules> {
  return compileSchedules(await loadYamlConfigFile(path, SchedulesFile, OPTIONS(vars)));
}

export function parseSchedules(text: string, vars: Readonly<Record<string, string | undefined>>): Schedules {
  return compileSchedules(parseYamlConfig(text, 'schedules.yaml', SchedulesFile, OPTIONS(vars)));
}
