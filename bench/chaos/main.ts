/**
 * `pnpm bench chaos`: the heavy fault run. The compiled `forge up` (`pnpm build` first) with its
 * own nats-server and embedded Postgres; tasks flow from an A2A client that retries with the same
 * messageId, while scout, the router, NATS and Postgres are SIGKILLed in turn, `--rounds` times.
 * With `--priced` the router has a dummy OpenAI key pointed at testkit's fake LLM server, so the
 * draft-reply tasks make priced model calls (else they run offline). Reports tasks lost,
 * duplicated, ended wrong or re-run, model tasks missing from the cost ledger, and how long each
 * fault took to recover from (restart, and every /readyz again). Ends with one JSON line.
 */
import { parseArgs } from 'node:util';
import { type ChaosReport, runChaos } from '@forge/e2e';
import { startFakeLlm, uniqueBrain } from '@forge/testkit';
import { z } from 'zod';
import { assertBuilt } from '../mesh/forge-up.js';

const USAGE = `usage: pnpm bench chaos [--rounds N] [--tasks N] [--rate N] [--concurrency N] [--calm MS]
                         [--targets LIST] [--priced]

  --rounds       times each target is killed (default 3)
  --tasks        tasks sent at least (default 2000); sending goes on until the last fault is over
  --rate         tasks sent per second (default 20)
  --concurrency  submissions in flight at most (default 32)
  --calm         ms of undisturbed flow between a recovery and the next fault (default 5000)
  --targets      processes killed in turn (default scout,router,nats,postgres)
  --priced       the router calls testkit's fake LLM with a dummy OpenAI key (priced calls)`;

const Options = z.object({
  rounds: z.coerce.number().int().min(1).max(50).default(3),
  tasks: z.coerce.number().int().min(1).max(100_000).default(2000),
  rate: z.coerce.number().positive().max(1000).default(20),
  concurrency: z.coerce.number().int().min(1).max(1000).default(32),
  calm: z.coerce.number().int().min(0).max(600_000).default(5000),
  targets: z
    .string()
    .default('scout,router,nats,postgres')
    .transform((text) =>
      text
        .split(',')
        .map((name) => name.trim())
        .filter(Boolean),
    ),
  priced: z.boolean().default(false),
});

const say = (text: string) => process.stderr.write(`${text}\n`);

function stats(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    n: sorted.length,
    medianMs: sorted[Math.floor(sorted.length / 2)] ?? 0,
    maxMs: sorted.at(-1) ?? 0,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      rounds: { type: 'string' },
      tasks: { type: 'string' },
      rate: { type: 'string' },
      concurrency: { type: 'string' },
      calm: { type: 'string' },
      targets: { type: 'string' },
      priced: { type: 'boolean' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    say(USAGE);
    return;
  }
  const parsed = Options.safeParse(values);
  if (!parsed.success) {
    throw new Error(
      `${parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}\n${USAGE}`,
    );
  }
  const o = parsed.data;
  assertBuilt();
  const base = Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) => !/^(ANTHROPIC|OPENAI)_(API_KEY|BASE_URL)|^DATABASE_URL$/.test(key),
    ),
  );
  const fake = o.priced ? await startFakeLlm({ record: false }) : null;
  // draft-reply asks for JSON of its schema; the fake's default echo would fail it. One scripted
  // answer per model call the run can make (every third task, a redelivered one calling again).
  fake?.script(
    ...Array.from({ length: o.tasks * 5 }, () => ({
      json: {
        reply: 'Agreed: cheap models for cheap work keeps the month under budget.',
        angle: 'agree',
        confidence: 0.9,
      },
    })),
  );
  let report: ChaosReport;
  try {
    report = await runChaos({
      brain: uniqueBrain('benchchaos'),
      env: {
        ...base,
        FORGE_LOG_LEVEL: 'warn',
        ...(fake ? { OPENAI_API_KEY: 'sk-bench-dummy', OPENAI_BASE_URL: fake.openaiBaseUrl } : {}),
      },
      targets: o.targets,
      rounds: o.rounds,
      minTasks: o.tasks,
      maxTasks: o.tasks * 5,
      ratePerSecond: o.rate,
      concurrency: o.concurrency,
      calmMs: o.calm,
      recoveryTimeoutMs: 90_000,
      settleTimeoutMs: 300_000,
      readyTimeoutMs: 180_000,
      say,
    });
  } finally {
    await fake?.close();
  }
  const { audit } = report;
  const recovery = Object.fromEntries(
    o.targets.map((target) => {
      const hits = report.faults.filter((fault) => fault.target === target);
      return [
        target,
        {
          restarted: stats(hits.map((hit) => hit.restartedMs)),
          ready: stats(hits.map((hit) => hit.readyMs)),
        },
      ];
    }),
  );
  say('');
  say(`tasks sent ${audit.sent}: completed with their result ${audit.completedRight}`);
  say(
    `  lost ${audit.lost.length}, duplicated ${audit.duplicated.length}, ended otherwise ${audit.endedOtherwise.length}, wrong result ${audit.wrongResult.length}, refused ${audit.refused.length}`,
  );
  say(
    `  re-run after a fault ${audit.rerun}; submissions retried ${audit.retriedSubmissions} (${report.failedAttempts} failed attempts)`,
  );
  say(`  model tasks missing from the cost ledger ${audit.missingFromLedger.length}`);
  for (const [target, r] of Object.entries(recovery)) {
    say(
      `  ${target.padEnd(9)} killed ${r.ready.n}x: restarted median ${r.restarted.medianMs} ms; mesh ready median ${r.ready.medianMs} ms, max ${r.ready.maxMs} ms`,
    );
  }
  for (const line of [
    ...audit.lost,
    ...audit.duplicated,
    ...audit.endedOtherwise,
    ...audit.wrongResult,
    ...audit.missingFromLedger,
  ].slice(0, 10)) {
    say(`  ! ${line}`);
  }
  if (report.leakedErrors.length > 0) {
    say(`  errors callers saw that carry internals (${report.leakedErrors.length} distinct, first shown):`);
    say(`    ${report.leakedErrors[0]}`);
  }
  console.log(
    JSON.stringify({
      bench: 'chaos',
      priced: o.priced,
      rounds: o.rounds,
      rate: o.rate,
      sent: audit.sent,
      completedRight: audit.completedRight,
      lost: audit.lost.length,
      duplicated: audit.duplicated.length,
      endedOtherwise: audit.endedOtherwise.length,
      wrongResult: audit.wrongResult.length,
      refused: audit.refused.length,
      rerun: audit.rerun,
      missingFromLedger: audit.missingFromLedger.length,
      retriedSubmissions: audit.retriedSubmissions,
      failedAttempts: report.failedAttempts,
      leakedErrorTexts: report.leakedErrors.length,
      recovery,
      durationMs: report.durationMs,
      forgeUpExit: report.exitCode,
    }),
  );
}

main().catch((error: unknown) => {
  say(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
