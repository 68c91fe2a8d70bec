import { parseArgs } from 'node:util';
import { describeIssues } from '@forge/contracts';
import { z } from 'zod';

export const USAGE = `usage: pnpm bench bus [--count N] [--concurrency N] [--window N] [--rounds N]
                     [--rate N] [--latency-count N] [--servers URL]

  --count          throughput phase: tasks per path, split over the rounds (default 20000)
  --concurrency    handlers at once, and messages a consumer holds (default 16)
  --window         throughput phase: tasks published but not yet handled (default 256)
  --rounds         rounds per phase; the paths alternate raw/forge, forge/raw, ... (default 4)
  --rate           latency phase: tasks per second offered on a fixed schedule (default 500)
  --latency-count  latency phase: tasks per path, split over the rounds (default 2500)
  --servers        NATS URL (default $NATS_URL or nats://127.0.0.1:4222)`;

const Options = z.object({
  count: z.coerce.number().int().min(100).default(20_000),
  concurrency: z.coerce.number().int().min(1).max(1000).default(16),
  window: z.coerce.number().int().min(1).max(100_000).default(256),
  rounds: z.coerce.number().int().min(1).max(100).default(4),
  rate: z.coerce.number().int().min(1).max(100_000).default(500),
  'latency-count': z.coerce.number().int().min(10).default(2500),
  servers: z.string().min(1),
});
export type Options = z.output<typeof Options>;

/** Parses the flags; on a bad one, throws an Error whose message names it and shows the usage. */
export function parseOptions(argv: string[], env: NodeJS.ProcessEnv): Options | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        count: { type: 'string' },
        concurrency: { type: 'string' },
        window: { type: 'string' },
        rounds: { type: 'string' },
        rate: { type: 'string' },
        'latency-count': { type: 'string' },
        servers: { type: 'string' },
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
    servers: values.servers ?? env.NATS_URL ?? 'nats://127.0.0.1:4222',
  });
  if (!result.success) {
    const issues = describeIssues(result.error).map((line) => `--${line}`);
    throw new Error(`invalid options: ${issues.join('; ')}\n${USAGE}`);
  }
  return result.data;
}
