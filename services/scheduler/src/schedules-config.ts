import { ScheduleName, SkillRef } from '@forge/contracts';
import { loadYamlConfigFile, parseYamlConfig } from '@forge/yaml-config';
import { isValidTimeZone } from '@forge/zoned-time';
import { z } from 'zod';
import { CronSchedule } from './cron.js';

const TimeZone = z.string().refine(isValidTimeZone, 'must be an IANA time zone such as America/Denver');

/** Where part of a task's input comes from at each tick (the "query that builds it"). */
const InputFrom = z.strictObject({
  /**
   * A room's sensor readings over the last `minutes`, from an HTTP endpoint that answers
   * `{ room, roomName?, stage?, readings: [...] }` (the offline day's sensor server, or a gateway
   * of the operator's). The answer's fields join the input; the schedule's own `input` wins.
   */
  sensorReadings: z.strictObject({
    url: z.url({ protocol: /^https?$/ }),
    minutes: z
      .number()
      .int()
      .min(1)
      .max(31 * 24 * 60),
    stepMinutes: z.number().int().min(1).max(60).default(5),
  }),
});

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
