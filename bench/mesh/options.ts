import { parseArgs } from 'node:util';
import { describeIssues } from '@forge/contracts';
import { z } from 'zod';

export const USAGE = `usage: pnpm bench mesh [--concurrency LIST] [--calls N] [--warmup N] [--rates LIST] [--duration S]
                       [--workers N] [--baseline DIR] [--cpu-prof DIR] [--database-url URL]

  --concurrency   closed-loop levels: callers each sending one blocking SendMessage after another
                  (default 1,4,16,64)
  --calls         tasks measured per closed-loop level and side (default 2000)
  --warmup        unmeasured tasks before each level and side (default 200)
  --rates         open-loop levels, tasks/s offered on schedule (default 250,500,1000; none to skip)
  --duration      seconds per open-loop level and side (default 4)
  --workers       FORGE_CONCURRENCY of the router and the agent (default 16; forge up's default is 4)
  --baseline DIR  another checkout (installed: pnpm install there) to run side by side: its router
                  and agent run from its sources; the bench's child entries are copied into it
  --cpu-prof DIR  the router and agent children run with node --cpu-prof, profiles written to DIR
                  when they stop
  --database-url  Postgres URL (default $TEST_DATABASE_URL or postgres://postgres@127.0.0.1:5432/test);
                  each side migrates a schema of its own, dropped at the end`;

const List = (what: string) =>
  z.string().transform((text, ctx) => {
    if (text === 'none') return [];
    const values = text.split(',').map((v) => Number(v.trim()));
    if (values.some((v) => !Number.isInteger(v) || v < 1 || v > 100_000)) {
      ctx.addIssue({ code: 'custom', message: `must be a comma-separated list of whole ${what}` });
      return z.NEVER;
    }
    return values;
  });

const Options = z.object({
  concurrency: List('callers').default([1, 4, 16, 64]),
  calls: z.coerce.number().int().min(10).max(1_000_000).default(2000),
  warmup: z.coerce.number().int().min(0).max(100_000).default(200),
  rates: List('tasks/s').default([250, 500, 1000]),
  duration: z.coerce.number().positive().max(600).default(4),
  workers: z.coerce.number().int().min(1).max(256).default(16),
  baseline: z.string().min(1).optional(),
  cpuProf: z.string().min(1).optional(),
  databaseUrl: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL'),
});
export type Options = z.output<typeof Options>;

const FLAGS = {
  concurrency: { type: 'string' },
  calls: { type: 'string' },
  warmup: { type: 'string' },
  rates: { type: 'string' },
  duration: { type: 'string' },
  workers: { type: 'string' },
  baseline: { type: 'string' },
  'cpu-prof': { type: 'string' },
  'database-url': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Parses the flags; a bad one throws an Error naming it, followed by the usage. */
export function parseOptions(argv: string[], env: NodeJS.ProcessEnv): Options | 'help' {
  let values: ReturnType<typeof parseArgs<{ args: string[]; options: typeof FLAGS }>>['values'];
  try {
    ({ values } = parseArgs({ args: argv, options: FLAGS, allowPositionals: false, strict: true }));
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  }
  if (values.help) return 'help';
  const result = Options.safeParse({
    concurrency: values.concurrency,
    calls: values.calls,
    warmup: values.warmup,
    rates: values.rates,
    duration: values.duration,
    workers: values.workers,
    baseline: values.baseline,
    cpuProf: values['cpu-prof'],
    databaseUrl: values['database-url'] ?? env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  });
  if (!result.success) throw new Error(`${describeIssues(result.error).join('; ')}\n${USAGE}`);
  return result.data;
}
