import { fileURLToPath } from 'node:url';
import { describeIssues, ForgeError } from '@forge/contracts';
import { isValidTimeZone } from '@forge/zoned-time';
import { z } from 'zod';

/** The repo's `fixtures/day` (`src/` and `dist/` both sit three levels below the root). */
export const DEFAULT_DAY_DIR = fileURLToPath(new URL('../../../fixtures/day', import.meta.url));

const emptyAsUnset = (v: unknown) => (v === '' ? undefined : v);

const DayEnv = z.object({
  FORGE_HOST: z.string().min(1).default('127.0.0.1'),
  FORGE_PORT: z.coerce.number().int().min(0).max(65535),
  FORGE_DAY_DIR: z.preprocess(emptyAsUnset, z.string().min(1).default(DEFAULT_DAY_DIR)),
  FORGE_DAY_TIME_ZONE: z.preprocess(
    emptyAsUnset,
    z.string().refine(isValidTimeZone, 'must be an IANA time zone').default('America/Denver'),
  ),
  FORGE_CLOCK_SPEED: z.preprocess(emptyAsUnset, z.coerce.number().min(1).max(100_000).default(1)),
  FORGE_CLOCK_ANCHOR: z.preprocess(emptyAsUnset, z.iso.datetime().optional()),
  FORGE_CLOCK_START: z.preprocess(emptyAsUnset, z.iso.datetime().optional()),
  FORGE_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface DayConfig {
  host: string;
  port: number;
  dir: string;
  timeZone: string;
  clockSpeed: number;
  clockAnchor: Date | undefined;
  /** The fast day's instant at `clockAnchor` (default: the anchor itself). */
  clockStart: Date | undefined;
  logLevel: z.output<typeof DayEnv>['FORGE_LOG_LEVEL'];
}

/** Reads the day server's configuration from `env`; BAD_CONFIG lists every bad variable. */
export function loadDayConfig(env: Record<string, string | undefined>): DayConfig {
  const parsed = DayEnv.safeParse(env);
  if (!parsed.success) {
    const issues = describeIssues(parsed.error);
    throw new ForgeError('BAD_CONFIG', `invalid day server configuration: ${issues.join('; ')}`, {
      retryable: false,
      details: { issues },
    });
  }
  const e = parsed.data;
  return {
    host: e.FORGE_HOST,
    port: e.FORGE_PORT,
    dir: e.FORGE_DAY_DIR,
    timeZone: e.FORGE_DAY_TIME_ZONE,
    clockSpeed: e.FORGE_CLOCK_SPEED,
    clockAnchor: e.FORGE_CLOCK_ANCHOR ? new Date(e.FORGE_CLOCK_ANCHOR) : undefined,
    clockStart: e.FORGE_CLOCK_START ? new Date(e.FORGE_CLOCK_START) : undefined,
    logLevel: e.FORGE_LOG_LEVEL,
  };
}
