import { parseArgs } from 'node:util';
import { describeIssues } from '@forge/contracts';
import { z } from 'zod';

export const USAGE = `usage: pnpm bench agent-kit [--calls N] [--concurrency 1,16] [--rounds N] [--warmup N] [--breakdown N]
                           [--workers N] [--cpu-prof DIR] [--kit FILE] [--nats URL] [--database-url URL]

  --calls         measured SendMessage calls per concurrency level (default 2000)
  --concurrency   client concurrency levels, comma-separated (default 1,16)
  --rounds        rounds per level; with --kit the two kits take turns round by round (default 10)
  --warmup        unmeasured calls before each level, per kit (default 200)
  --breakdown     calls traced one at a time for the per-stage breakdown (default 300)
  --workers       the service's FORGE_CONCURRENCY (default 4, the service default)
  --cpu-prof      write a V8 CPU profile of the agent process per level into DIR
  --kit           also run a second agent with agent-kit loaded from FILE (a src/index.ts), e.g. a
                  copy of the source before a change; the two alternate round by round
  --nats          NATS URL (default $NATS_URL or nats://127.0.0.1:4222)
  --database-url  Postgres URL (default $TEST_DATABASE_URL or postgres://postgres@127.0.0.1:5432/test)`;

const Levels = z
  .string()
  .regex(/^\d+(,\d+)*$/, 'must be numbers separated by commas')
  .transform((s) => s.split(',').map(Number))
  .refine((levels) => levels.every((n) => n >= 1 && n <= 256), 'each level must be 1-256');

const Options = z.object({
  calls: z.coerce.number().int().min(10).max(1_000_000).default(2000),
  concurrency: Levels.default([1, 16]),
  rounds: z.coerce.number().int().min(1).max(1000).default(10),
  warmup: z.coerce.number().int().min(0).max(100_000).default(200),
  breakdown: z.coerce.number().int().min(0).max(100_000).default(300),
  workers: z.coerce.number().int().min(1).max(256).default(4),
  'cpu-prof': z.string().min(1).optional(),
  kit: z.string().min(1).optional(),
  nats: z.string().min(1),
  'database-url': z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL'),
});
export type Options = z.output<typeof Options>;

/** Parses the flags; on a bad one, throws an Error whose message names it and shows the usage. */
export function parseOptions(argv: string[], env: NodeJS.ProcessEnv): Options | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        calls: { type: 'string' },
        concurrency: { type: 'string' },
        rounds: { type: 'string' },
        warmup: { type: 'string' },
        breakdown: { type: 'string' },
        workers: { type: 'string' },
        'cpu-prof': { type: 'string' },
        kit: { type: 'string' },
        nats: { type: 'string' },
        'database-url': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  }
  if (values.help) return 'help';
  const result = Options.safeParse({
    ...values,
    nats: values.nats ?? env.NATS_URL ?? 'nats://127.0.0.1:4222',
    'database-url':
      values['database-url'] ?? env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  });
  if (!result.success) {
    const issues = describeIssues(result.error).map((line) => `--${line}`);
    throw new Error(`invalid options: ${issues.join('; ')}\n${USAGE}`);
  }
  return result.data;
}
