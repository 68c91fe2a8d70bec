/**
 * `pnpm bench up`: what a user's `forge up` costs and whether it holds under priced load. Runs
 * the compiled CLI (`pnpm build` first) as a user does, with no DATABASE_URL, so the embedded
 * Postgres is what is measured:
 *
 * 1. start: `--starts` times, `forge up` on a fresh state folder (cold: the database is created)
 *    and again on the same folder (warm: reopened); time to the ready event, the time forge up
 *    says its Postgres took, and the embedded database's memory (its process tree: RSS summed,
 *    and PSS, which splits shared pages between the processes that share them).
 * 2. load: `forge up` with a dummy OpenAI key pointed at testkit's fake LLM server, then
 *    `--calls` concurrent priced `POST /v1/chat/completions`; answers by status, latency, and
 *    every answered call looked up in the cost ledger; the database's memory after.
 *
 * `--baseline <checkout>` runs another build (e.g. the commit before a change, built) side by
 * side: every start and the load phase alternate between the two, and the ratios are printed.
 * Ends with one JSON line. A measurement, not a test: nothing here asserts.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { deleteBrainStreams, startFakeLlm, testNatsUrl, uniqueBrain } from '@forge/testkit';
import { connect } from '@nats-io/transport-node';
import { z } from 'zod';
import { assertBuilt, freePortBase, REPO_ROOT, type ReadyEvent, startForgeUp } from '../mesh/forge-up.js';
import { type PricedCallsResult, pricedCalls } from '../mesh/priced-calls.js';
import { type TreeMemory, treeMemory } from '../mesh/process-memory.js';

const USAGE = `usage: pnpm bench up [--starts N] [--calls N] [--baseline DIR] [--nats URL]

  --starts    cold and warm starts measured per build (default 3)
  --calls     concurrent priced chat completions in the load phase (default 1000; 0 skips it)
  --baseline  another checkout, built, to measure side by side (e.g. the previous commit)
  --nats      NATS URL (default $NATS_URL or nats://127.0.0.1:4222)`;

const Options = z.object({
  starts: z.coerce.number().int().min(1).max(20).default(3),
  calls: z.coerce.number().int().min(0).max(10_000).default(1000),
  baseline: z.string().min(1).optional(),
  nats: z.string().min(1),
});

const say = (text: string) => process.stderr.write(`${text}\n`);
const READY_TIMEOUT_MS = 180_000;

interface StartSample {
  readonly wallMs: number;
  readonly reportedMs: number;
  /** What forge up said its Postgres took ("Postgres embedded … ready in N s"). */
  readonly dbReadyMs: number | null;
  readonly db: TreeMemory;
}

interface Build {
  readonly name: 'this' | 'baseline';
  readonly root: string;
  readonly cold: StartSample[];
  readonly warm: StartSample[];
  /** Starts that did not reach ready (with why), e.g. a start timeout of the build itself. */
  readonly failedStarts: string[];
  load: (PricedCallsResult & Record<string, unknown>) | null;
}

const NO_MEMORY: TreeMemory = { processes: 0, rssMb: 0, pssMb: 0 };

function dbReadyMs(logs: readonly string[]): number | null {
  for (const line of logs) {
    const match = /Postgres embedded .* ready in ([\d.]+)s/.exec(line);
    if (match) return Math.round(Number(match[1]) * 1000);
  }
  return null;
}

/**
 * One `forge up` to ready and back down; its start time and the database's memory at ready, or
 * null (the reason kept in `failedStarts`) when it did not get there.
 */
async function oneStart(
  build: Build,
  stateDir: string,
  brain: string,
  env: NodeJS.ProcessEnv,
): Promise<StartSample | null> {
  const portBase = await freePortBase();
  const began = performance.now();
  const args = ['--brain', brain, '--state-dir', stateDir, '--port-base', String(portBase)];
  const up = startForgeUp(args, env, build.root);
  try {
    const ready = (await up.waitFor((e) => e.event === 'ready', READY_TIMEOUT_MS)) as unknown as ReadyEvent;
    const wallMs = Math.round(performance.now() - began);
    const db = ready.postgres.pid === null ? NO_MEMORY : await treeMemory(ready.postgres.pid);
    return { wallMs, reportedMs: ready.elapsedMs, dbReadyMs: dbReadyMs(up.logs), db };
  } catch (error) {
    const lines = (error instanceof Error ? error.message : String(error)).split('\n');
    const why = lines.find((line) => line.includes('"error"')) ?? lines[0] ?? 'no ready event';
    build.failedStarts.push(why);
    say(`  (${build.name} did not start: ${why})`);
    return null;
  } finally {
    const code = await up.stop();
    if (code !== 0) say(`  (forge up exited ${code})`);
  }
}

/** The load phase against one build: a mesh with a dummy key, `calls` priced calls at once. */
async function loadPhase(
  build: Build,
  root: string,
  calls: number,
  env: NodeJS.ProcessEnv,
  brains: string[],
) {
  const fake = await startFakeLlm({ record: false });
  const brain = uniqueBrain('benchload');
  brains.push(brain);
  const portBase = await freePortBase();
  const up = startForgeUp(
    ['--brain', brain, '--state-dir', join(root, `load-${build.name}`), '--port-base', String(portBase)],
    { ...env, OPENAI_API_KEY: 'sk-bench-dummy', OPENAI_BASE_URL: fake.openaiBaseUrl },
    build.root,
  );
  try {
    const ready = (await up.waitFor((e) => e.event === 'ready', READY_TIMEOUT_MS)) as unknown as ReadyEvent;
    if (ready.router.offline) throw new Error('the router came up offline: the dummy key was not seen');
    const before = await treeMemory(ready.postgres.pid!);
    const result = await pricedCalls({
      chatCompletionsUrl: ready.router.chatCompletions,
      operatorKeyFile: ready.operatorKeyFile,
      databaseUrl: ready.postgres.url,
      schema: `forge_${brain}`,
      calls,
    });
    const after = await treeMemory(ready.postgres.pid!);
    const pgErrors = up.logs.filter((line) => /\b(08P01|42P05|22P02)\b|prepared statement/.test(line));
    build.load = { ...result, dbBefore: before, dbAfter: after, postgresProtocolErrorLines: pgErrors.length };
    say(
      `load (${build.name}): ${result.ok}/${result.calls} answered 200, failures ${JSON.stringify(result.failures)}, ` +
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

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

function summarize(samples: StartSample[]) {
  return {
    wallMsMedian: median(samples.map((s) => s.wallMs)),
    reportedMsMedian: median(samples.map((s) => s.reportedMs)),
    dbReadyMsMedian: median(samples.map((s) => s.dbReadyMs ?? 0)),
    wallMs: samples.map((s) => s.wallMs),
    dbRssMbMedian: median(samples.map((s) => s.db.rssMb)),
    dbPssMbMedian: median(samples.map((s) => s.db.pssMb)),
    dbProcesses: samples[0]?.db.processes ?? 0,
  };
}

function describe(build: Build): string {
  const cold = summarize(build.cold);
  const warm = summarize(build.warm);
  return (
    `${build.name.padEnd(8)}: cold start median ${cold.wallMsMedian} ms (its Postgres ${cold.dbReadyMsMedian} ms), ` +
    `warm ${warm.wallMsMedian} ms (Postgres ${warm.dbReadyMsMedian} ms); database at ready ${cold.dbRssMbMedian} MB RSS, ` +
    `${cold.dbPssMbMedian} MB PSS (${cold.dbProcesses} processes); ${build.failedStarts.length} starts failed`
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      starts: { type: 'string' },
      calls: { type: 'string' },
      baseline: { type: 'string' },
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
  if (!parsed.success) {
    throw new Error(
      `${parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}\n${USAGE}`,
    );
  }
  const o = parsed.data;
  const builds: Build[] = [
    { name: 'this', root: REPO_ROOT, cold: [], warm: [], failedStarts: [], load: null },
  ];
  if (o.baseline)
    builds.unshift({
      name: 'baseline',
      root: resolve(o.baseline),
      cold: [],
      warm: [],
      failedStarts: [],
      load: null,
    });
  for (const build of builds) assertBuilt(build.root);
  const base = Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) => !/^(ANTHROPIC|OPENAI)_(API_KEY|BASE_URL)|^DATABASE_URL$/.test(key),
    ),
  );
  const env = { ...base, NATS_URL: o.nats, FORGE_LOG_LEVEL: 'warn' };
  const brains: string[] = [];
  const root = await mkdtemp(join(tmpdir(), 'forge-bench-up-'));
  // mkdtemp makes it 0700; as root, forge up runs Postgres as the postgres account, which must
  // pass through here to the state folders below (else forge up keeps the data elsewhere).
  await chmod(root, 0o711);
  const load1m = loadavg()[0]!;
  try {
    for (let run = 1; run <= o.starts; run++) {
      // Alternate which build goes first, so a change in the machine's load hits both alike.
      const order = run % 2 === 1 ? builds : [...builds].reverse();
      for (const build of order) {
        const brain = uniqueBrain('benchup');
        brains.push(brain);
        const stateDir = join(root, `${build.name}-${run}`);
        const cold = await oneStart(build, stateDir, brain, env);
        const warm = cold && (await oneStart(build, stateDir, brain, env));
        if (!cold || !warm) continue;
        build.cold.push(cold);
        build.warm.push(warm);
        say(
          `start ${run} (${build.name}): cold ${cold.wallMs} ms (its Postgres ${cold.dbReadyMs} ms; db ${cold.db.rssMb} MB RSS / ` +
            `${cold.db.pssMb} MB PSS), warm ${warm.wallMs} ms (Postgres ${warm.dbReadyMs} ms; db ${warm.db.rssMb} MB RSS)`,
        );
      }
    }
    if (o.calls > 0) {
      for (const build of builds) {
        await loadPhase(build, root, o.calls, env, brains).catch((error: unknown) => {
          say(`  (load phase of ${build.name} failed: ${String(error).split('\n')[0]})`);
        });
      }
    }
    say('');
    for (const build of builds) say(describe(build));
    const [baseline, current] = builds.length === 2 ? builds : [null, builds[0]!];
    const report: Record<string, unknown> = {
      bench: 'up',
      starts: o.starts,
      loadAverage1m: Math.round(load1m * 10) / 10,
      ...Object.fromEntries(
        builds.map((build) => [
          build.name,
          {
            cold: summarize(build.cold),
            warm: summarize(build.warm),
            failedStarts: build.failedStarts,
            load: build.load,
          },
        ]),
      ),
    };
    if (baseline && current) {
      const ratio = (a: number, b: number) => (b === 0 ? null : Math.round((a / b) * 100) / 100);
      const b = summarize(baseline.cold);
      const c = summarize(current.cold);
      report.ratio = {
        coldStart: ratio(c.wallMsMedian, b.wallMsMedian),
        warmStart: ratio(summarize(current.warm).wallMsMedian, summarize(baseline.warm).wallMsMedian),
        dbReady: ratio(c.dbReadyMsMedian, b.dbReadyMsMedian),
        dbRss: ratio(c.dbRssMbMedian, b.dbRssMbMedian),
        dbPss: ratio(c.dbPssMbMedian, b.dbPssMbMedian),
      };
      say(`this / baseline: ${JSON.stringify(report.ratio)}`);
    }
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
