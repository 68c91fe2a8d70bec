import { parseArgs } from 'node:util';
import { describeIssues } from '@forge/contracts';
import { z } from 'zod';

export const USAGE = `usage: pnpm bench router-overhead [--rate N] [--duration S] [--warmup S] [--rounds N]
                                    [--transport sdk,wire] [--replies coalesced,direct] [--replicas N] [--ramp LIST|none]
                                    [--ramp-client raw|agent-kit] [--ramp-step S] [--ramp-p99 MS] [--tasks N] [--no-telemetry]
                                    [--cpu-prof DIR] [--nats URL] [--database-url URL]

  --rate          calls per second, open loop, on every path (default 1000)
  --duration      seconds measured per path (default 5)
  --warmup        seconds of unmeasured load before each path (default 1)
  --rounds        measured rounds; each round measures every transport, the order alternating (default 2)
  --transport     the routers' model transports, side by side in one run, each its own brain and
                  router(s): sdk (the vendor SDKs), wire (the thin wire client) (default sdk,wire)
  --replies       how the routers' bus sends its request/reply answers, side by side in one run
                  (each a deployment of its own per transport, alternating like the transports):
                  coalesced (the bus's default: through the connection's outbox, the replies of one
                  event-loop turn in one socket write), direct (one write per reply, as before)
                  (default coalesced)
  --replicas      router processes per transport, sharing its load: NATS queue group for the gateway,
                  round robin for /v1/chat/completions; budgets and ledger checked exact at the end (default 1)
  --ramp          rates tried on the gateway path to find the most the routers sustain, in order,
                  interleaving the transports, each stopping at its first failing rate
                  (default 100,250,500,750,1000,1500,2000,3000; none to skip)
  --ramp-client   what the ramp calls the gateway with: raw (default; a hand-written model.call
                  request over core NATS, so the load generator's own cost does not cap the ramp) or
                  agent-kit (NatsModelClient, as the measured rounds and skills do)
  --ramp-step     seconds per ramp rate (default 3)
  --ramp-p99      a ramp rate passes with no errors, p99 at most this many ms, and 95% of the rate answered (default 50)
  --tasks         tasks the gateway calls are spread over (default 32)
  --no-telemetry  run the router without OpenTelemetry (by default it is started as the service
                  starts it, spans made and not exported), to see what tracing costs
  --cpu-prof      write a V8 CPU profile of each router's first measured gateway and HTTP phase to DIR
                  (through the inspector: start-up and warm-up stay out) and print their top entries
  --nats          NATS URL (default $NATS_URL or nats://127.0.0.1:4222)
  --database-url  Postgres URL (default $TEST_DATABASE_URL or postgres://postgres@127.0.0.1:5432/test);
                  the router migrates a schema of its own, dropped at the end`;

const Seconds = z.coerce.number().positive().max(600);

const Options = z.object({
  rate: z.coerce.number().int().min(1).max(100_000).default(1000),
  duration: Seconds.default(5),
  warmup: z.coerce.number().min(0).max(600).default(1),
  ramp: z
    .string()
    .default('100,250,500,750,1000,1500,2000,3000')
    .transform((text, ctx) => {
      if (text === 'none') return [];
      const rates = text.split(',').map((r) => Number(r.trim()));
      if (rates.some((r) => !Number.isInteger(r) || r < 1 || r > 100_000)) {
        ctx.addIssue({ code: 'custom', message: 'must be a comma-separated list of whole calls/s, or none' });
        return z.NEVER;
      }
      return rates;
    }),
  rounds: z.coerce.number().int().min(1).max(20).default(2),
  transports: z
    .string()
    .default('sdk,wire')
    .transform((text, ctx) => {
      const list = text.split(',').map((t) => t.trim());
      if (
        list.length === 0 ||
        list.some((t) => t !== 'sdk' && t !== 'wire') ||
        new Set(list).size !== list.length
      ) {
        ctx.addIssue({ code: 'custom', message: 'must be sdk, wire, or both, comma-separated' });
        return z.NEVER;
      }
      return list as Array<'sdk' | 'wire'>;
    }),
  replies: z
    .string()
    .default('coalesced')
    .transform((text, ctx) => {
      const list = text.split(',').map((t) => t.trim());
      if (
        list.length === 0 ||
        list.some((t) => t !== 'coalesced' && t !== 'direct') ||
        new Set(list).size !== list.length
      ) {
        ctx.addIssue({ code: 'custom', message: 'must be coalesced, direct, or both, comma-separated' });
        return z.NEVER;
      }
      return list as Array<'coalesced' | 'direct'>;
    }),
  replicas: z.coerce.number().int().min(1).max(4).default(1),
  rampClient: z.enum(['raw', 'agent-kit']).default('raw'),
  rampStep: Seconds.default(3),
  rampP99: z.coerce.number().positive().max(60_000).default(50),
  tasks: z.coerce.number().int().min(1).max(10_000).default(32),
  telemetry: z.boolean().default(true),
  cpuProf: z.string().min(1).optional(),
  nats: z.string().min(1),
  databaseUrl: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL'),
});
export type Options = z.output<typeof Options>;

function readArgs(argv: string[]) {
  return parseArgs({ args: argv, options: FLAGS, allowPositionals: false, strict: true });
}

/** Parses the flags; a bad one throws an Error naming it, followed by the usage. */
export function parseOptions(argv: string[], env: NodeJS.ProcessEnv): Options | 'help' {
  let values: ReturnType<typeof readArgs>['values'];
  try {
    ({ values } = readArgs(argv));
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  }
  if (values.help) return 'help';
  const result = Options.safeParse({
    rate: values.rate,
    duration: values.duration,
    warmup: values.warmup,
    ramp: values.ramp,
    rounds: values.rounds,
    transports: values.transport,
    replies: values.replies,
    replicas: values.replicas,
    rampStep: values['ramp-step'],
    rampClient: values['ramp-client'],
    rampP99: values['ramp-p99'],
    tasks: values.tasks,
    telemetry: values['no-telemetry'] !== true,
    cpuProf: values['cpu-prof'],
    nats: values.nats ?? env.NATS_URL ?? 'nats://127.0.0.1:4222',
    databaseUrl: values['database-url'] ?? env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  });
  if (!result.success) throw new Error(`${describeIssues(result.error).join('; ')}\n${USAGE}`);
  return result.data;
}

const FLAGS = {
  rate: { type: 'string' },
  duration: { type: 'string' },
  warmup: { type: 'string' },
  ramp: { type: 'string' },
  rounds: { type: 'string' },
  transport: { type: 'string' },
  replies: { type: 'string' },
  replicas: { type: 'string' },
  'ramp-step': { type: 'string' },
  'ramp-client': { type: 'string' },
  'ramp-p99': { type: 'string' },
  tasks: { type: 'string' },
  'no-telemetry': { type: 'boolean' },
  'cpu-prof': { type: 'string' },
  nats: { type: 'string' },
  'database-url': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;
