/**
 * `pnpm bench up`: what a user's `forge up` costs and whether it holds under priced load. Runs
 * the compiled CLI (`pnpm build` first) as a user does, with no DATABASE_URL, so the embedded
 * Postgres is what is measured:
 *
 * 1. start: `--starts` times, `forge up` on a fresh state folder (cold: the database is created)
 *    and again on the same folder (warm: reopened); time to the ready event, and the embedded
 *    database's memory (its process tree: RSS summed, and PSS, which splits shared pages).
 * 2. load: `forge up` with a dummy OpenAI key pointed at testkit's fake LLM server, then
 *    `--calls` concurrent priced `POST /v1/chat/completions`; answers by status, latency, and
 *    every answered call looked up in the cost ledger; the database's memory after.
 *
 * Ends with one JSON line. A measurement, not a test: nothing here asserts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { deleteBrainStreams, startFakeLlm, testNatsUrl, uniqueBrain } from '@forge/testkit';
import { connect } from '@nats-io/transport-node';
import { z } from 'zod';
import { assertBuilt, freePortBase, type ReadyEvent, startForgeUp } from '../mesh/forge-up.js';
import { pricedCalls } from '../mesh/priced-calls.js';
import { type TreeMemory, treeMemory } from '../mesh/process-memory.js';

const USAGE = `usage: pnpm bench up [--starts N] [--calls N] [--nats URL]

  --starts  cold and warm starts measured (default 3)
  --calls   concurrent priced chat completions in the load phase (default 1000; 0 skips it)
  --nats    NATS URL (default $NATS_URL or nats://127.0.0.1:4222)`;

const Options = z.object({
  starts: z.coerce.number().int().min(1).max(20).default(3),
  calls: z.coerce.number().int().min(0).max(10_000).default(1000),
  nats: z.string().min(1),
});

const say = (text: string) => process.stderr.write(`${text}\n`);
const READY_TIMEOUT_MS = 180_000;

interface StartSample {
  readonly wallMs: number;
  readonly reportedMs: number;
  readonly db: TreeMemory;
}

/** One `forge up` to ready and back down; its start time and the database's memory at ready. */
async function oneStart(stateDir: string, brain: string, env: NodeJS.ProcessEnv): Promise<StartSample> {
  const portBase = await freePortBase();
  const began = performance.now();
  const up = startForgeUp(['--brain', brain, '--state-dir', stateDir, '--port-base', String(portBase)], env);
  try {
    const ready = (await up.waitFor((e) => e.event === 'ready', READY_TIMEOUT_MS)) as unknown as ReadyEvent;
    const wallMs = Math.round(performance.now() - began);
    const db =
      ready.postgres.pid === null
        ? { processes: 0, rssMb: 0, pssMb: 0 }
        : await treeMemory(ready.postgres.pid);
    return { wallMs, reportedMs: ready.elapsedMs, db };
  } finally {
    const code = await up.stop();
    if (code !== 0) say(`  (forge up exited ${code})`);
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

function summarize(samples: StartSample[]) {
  return {
    wallMsMedian: median(samples.map((s) => s.wallMs)),
    reportedMsMedian: median(samples.map((s) => s.reportedMs)),
    wallMs: samples.map((s) => s.wallMs),
    dbRssMbMedian: median(samples.map((s) => s.db.rssMb)),
    dbPssMbMedian: median(samples.map((s) => s.db.pssMb)),
    dbProcesses: samples[0]?.db.processes ?? 0,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      starts: { type: 'string' },
      calls: { type: 'string' },
      nats: { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    say(USAGE);
    return;
  }
  const parsed = Options.safeParse({ ...values, nats: values.nats ?? testNatsUrl() });
  if (!parsed.success)
    throw new Error(
      `${parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}\n${USAGE}`,
    );
  const o = parsed.data;
  assertBuilt();
  const base = Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) => !/^(ANTHROPIC|OPENAI)_(API_KEY|BASE_URL)|^DATABASE_URL$/.test(key),
    ),
  );
  const env = { ...base, NATS_URL: o.nats, FORGE_LOG_LEVEL: 'warn' };
  const brains: string[] = [];
  const root = await mkdtemp(join(tmpdir(), 'forge-bench-up-'));
  try {
    const cold: StartSample[] = [];
    const warm: StartSample[] = [];
    for (let run = 1; run <= o.starts; run++) {
      const brain = uniqueBrain('benchup');
      brains.push(brain);
      const stateDir = join(root, `start-${run}`);
      cold.push(await oneStart(stateDir, brain, env));
      warm.push(await oneStart(stateDir, brain, env));
      say(
        `start ${run}: cold ${cold.at(-1)!.wallMs} ms (db ${cold.at(-1)!.db.rssMb} MB RSS / ${cold.at(-1)!.db.pssMb} MB PSS), ` +
          `warm ${warm.at(-1)!.wallMs} ms (db ${warm.at(-1)!.db.rssMb} MB RSS)`,
      );
    }

    let load: Record<string, unknown> | null = null;
    if (o.calls > 0) {
      const fake = await startFakeLlm({ record: false });
      const brain = uniqueBrain('benchload');
      brains.push(brain);
      const portBase = await freePortBase();
      const up = startForgeUp(
        ['--brain', brain, '--state-dir', join(root, 'load'), '--port-base', String(portBase)],
        { ...env, OPENAI_API_KEY: 'sk-bench-dummy', OPENAI_BASE_URL: fake.openaiBaseUrl },
      );
      try {
        const ready = (await up.waitFor(
          (e) => e.event === 'ready',
          READY_TIMEOUT_MS,
        )) as unknown as ReadyEvent;
        if (ready.router.offline) throw new Error('the router came up offline: the dummy key was not seen');
        const before = await treeMemory(ready.postgres.pid!);
        const result = await pricedCalls({
          chatCompletionsUrl: ready.router.chatCompletions,
          operatorKeyFile: ready.operatorKeyFile,
          databaseUrl: ready.postgres.url,
          schema: `forge_${brain}`,
          calls: o.calls,
        });
        const after = await treeMemory(ready.postgres.pid!);
        const pgErrors = up.logs.filter((line) =>
          /\b(08P01|42P05|22P02|XX000)\b|prepared statement/.test(line),
        );
        load = { ...result, dbBefore: before, dbAfter: after, postgresProtocolErrorLines: pgErrors.length };
        say(
          `load: ${result.ok}/${result.calls} answered 200, failures ${JSON.stringify(result.failures)}, ` +
            `p50 ${result.p50Ms} ms p99 ${result.p99Ms} ms; ledger ${result.inLedger} (priced ${result.pricedInLedger}, ` +
            `missing ${result.missingFromLedger}); db ${before.rssMb} → ${after.rssMb} MB RSS (${after.pssMb} MB PSS); ` +
            `protocol-error log lines ${pgErrors.length}`,
        );
        for (const sample of result.errorSamples) say(`  error: ${sample}`);
        for (const line of pgErrors.slice(0, 3)) say(`  log: ${line.slice(0, 300)}`);
      } finally {
        await up.stop();
        await fake.close();
      }
    }
    const report = { bench: 'up', starts: o.starts, cold: summarize(cold), warm: summarize(warm), load };
    say(
      `cold start median ${report.cold.wallMsMedian} ms, warm ${report.warm.wallMsMedian} ms; ` +
        `embedded database at ready: ${report.cold.dbRssMbMedian} MB RSS, ${report.cold.dbPssMbMedian} MB PSS ` +
        `(${report.cold.dbProcesses} processes)`,
    );
    console.log(JSON.stringify(report));
  } finally {
    const nc = await connect({ servers: o.nats });
    try {
      for (const brain of brains) await deleteBrainStreams(nc, brain).catch(() => {});
    } finally {
      await nc.close();
    }
    await rm(root, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  say(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
