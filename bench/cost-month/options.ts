import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { describeIssues } from '@forge/contracts';
import { DEFAULT_ROUTING_CONFIG_PATH } from '@forge/service-router';
import { z } from 'zod';
import { LEVERS, type Lever } from './levers.js';

export const DEFAULT_WORKLOAD = fileURLToPath(new URL('../workloads/seed-day.yaml', import.meta.url));

export const USAGE = `usage: pnpm bench cost-month [workload-file] [--config FILE] [--days N] [--slot-minutes N]
                               [--levers none,cache,batch,both] [--route-all] [--nats URL]
                               [--database-url URL] [--keep]

  workload-file   task types of a day, YAML (default bench/workloads/seed-day.yaml)
  --config        routing config the routed month runs with (default config/forge.yaml)
  --days          simulated days (default 30)
  --slot-minutes  the month is run in slots of this many minutes; a slot's tasks end before the
                  next slot starts (default 60; must divide a day)
  --levers        the routed months to run, one per lever: none (no vendor discount), cache (prompt
                  caching), batch (batch APIs), both (default: all four; the tables show both, or the
                  last one given)
  --route-all     route every tool-tier task of every day too; by default day 1 is routed in full and
                  afterwards one run a day of each type the router sent wholly to tool is routed as a
                  check, the rest counted at $0 (every task that may call a model is always routed)
  --nats          NATS URL (default $NATS_URL or nats://127.0.0.1:4222)
  --database-url  Postgres URL (default $TEST_DATABASE_URL or postgres://postgres@127.0.0.1:5432/test);
                  each pass runs in a schema of its own, dropped at the end
  --keep          keep the brains' schemas and streams for inspection`;

const Options = z.object({
  workload: z.string().min(1),
  config: z.string().min(1),
  days: z.coerce.number().int().min(1).max(31).default(30),
  slotMinutes: z.coerce
    .number()
    .int()
    .min(5)
    .max(1440)
    .refine((m) => 1440 % m === 0, 'must divide a day (1440 minutes)')
    .default(60),
  nats: z.string().min(1),
  databaseUrl: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL'),
  keep: z.boolean().default(false),
  routeAll: z.boolean().default(false),
  levers: z
    .string()
    .transform((text) => [...new Set(text.split(',').map((s) => s.trim()))])
    .pipe(z.array(z.enum(LEVERS, { error: `must be a list of ${LEVERS.join(', ')}` })).min(1))
    .default([...LEVERS]),
});
export type Options = z.output<typeof Options> & { levers: Lever[] };

/** Parses the arguments; a bad one throws an Error naming it, followed by the usage. */
export function parseOptions(argv: string[], env: NodeJS.ProcessEnv): Options | 'help' {
  let parsed: ReturnType<typeof readArgs>;
  try {
    parsed = readArgs(argv);
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (positionals.length > 1) throw new Error(`only one workload file may be given\n${USAGE}`);
  const result = Options.safeParse({
    workload: positionals[0] ?? DEFAULT_WORKLOAD,
    config: values.config ?? DEFAULT_ROUTING_CONFIG_PATH,
    days: values.days,
    slotMinutes: values['slot-minutes'],
    nats: values.nats ?? env.NATS_URL ?? 'nats://127.0.0.1:4222',
    databaseUrl: values['database-url'] ?? env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    keep: values.keep,
    routeAll: values['route-all'],
    levers: values.levers,
  });
  if (!result.success) throw new Error(`${describeIssues(result.error).join('; ')}\n${USAGE}`);
  return result.data;
}

function readArgs(argv: string[]) {
  return parseArgs({ args: argv, options: FLAGS, allowPositionals: true, strict: true });
}

const FLAGS = {
  config: { type: 'string' },
  days: { type: 'string' },
  'slot-minutes': { type: 'string' },
  nats: { type: 'string' },
  'database-url': { type: 'string' },
  keep: { type: 'boolean' },
  'route-all': { type: 'boolean' },
  levers: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;
