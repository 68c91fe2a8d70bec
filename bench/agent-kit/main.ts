/**
 * agent-kit benchmark: a blocking A2A `SendMessage` (JSON-RPC, v1.0) of a trivial echo skill,
 * end to end against the real NATS and Postgres: HTTP → auth → edge creates the task row →
 * subscribes to the status subject → JetStream publish → the worker's pull consumer → CAS to
 * working → handler → CAS to completed → status events → edge relays → reply.
 *
 * The agent runs in a child process as a service runs (compiled from source with tsx, telemetry
 * started, spans made and dropped); this process is the client. Phases:
 *
 * 1. floors, in the same run: HTTP GET /livez of the child, a core NATS request/reply echo
 *    answered by the child, and a Postgres `SELECT 1`: what one hop of each costs right now;
 * 2. breakdown: `--breakdown` calls one at a time with probes on; the timeline of median mark
 *    times (where the time goes);
 * 3. for each `--concurrency` level, closed loop: `--warmup` calls, then `--calls` measured →
 *    p50/p90/p99, calls/s, and the agent process's CPU per call.
 *
 * Ends with one JSON line.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hashApiKey } from '@forge/service-runtime';
import { deleteBrainStreams, dropBrainSchema, uniqueBrain } from '@forge/testkit';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import { closedLoop } from '../lib/closed-loop.js';
import { type ClockMark, type Stage, timeline } from './breakdown.js';
import { type AgentChild, startAgentChild } from './ipc.js';
import { type Options, parseOptions, USAGE } from './options.js';
import { type LatencyStats, quantile, round, summarize } from './stats.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const now = () => performance.timeOrigin + performance.now();

interface Client {
  call(): Promise<void>;
}

function a2aClient(url: string, key: string): Client {
  const endpoint = `${url}/a2a/jsonrpc`;
  const headers = {
    'content-type': 'application/json',
    'a2a-version': '1.0',
    authorization: `Bearer ${key}`,
  };
  return {
    async call() {
      const body = JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'SendMessage',
        params: {
          message: {
            messageId: randomUUID(),
            role: 'ROLE_USER',
            parts: [{ data: { text: 'hi' } }],
            metadata: { skill: 'echo' },
          },
        },
      });
      const res = await fetch(endpoint, { method: 'POST', headers, body });
      const reply = (await res.json()) as {
        result?: { task?: { status?: { state?: string } } };
        error?: unknown;
      };
      const state = reply.result?.task?.status?.state;
      if (state !== 'TASK_STATE_COMPLETED')
        throw new Error(`unexpected reply: ${JSON.stringify(reply).slice(0, 300)}`);
    },
  };
}

async function floor(count: number, call: () => Promise<unknown>): Promise<{ p50Ms: number; p99Ms: number }> {
  for (let i = 0; i < Math.min(100, count); i++) await call();
  const { latenciesMs: latencies } = await closedLoop(1, count, async () => {
    await call();
  });
  const sorted = latencies.sort((a, b) => a - b);
  return { p50Ms: round(quantile(sorted, 0.5), 3), p99Ms: round(quantile(sorted, 0.99), 3) };
}

interface Side {
  readonly name: 'current' | 'baseline';
  readonly brain: string;
  readonly child: AgentChild;
  readonly client: Client;
}

type LevelStats = LatencyStats & { agentCpuMsPerCall: number };

async function startSide(
  name: Side['name'],
  options: Options,
  keysFile: string,
  key: string,
  kitEntry: string | undefined,
): Promise<Side> {
  const brain = uniqueBrain(`bakit${name.slice(0, 1)}`);
  const child = await startAgentChild(join(here, 'agent-process.ts'), join(here, 'instrumentation.ts'), {
    FORGE_BRAIN: brain,
    FORGE_PORT: '0',
    NATS_URL: options.nats,
    DATABASE_URL: options['database-url'],
    FORGE_API_KEYS_FILE: keysFile,
    FORGE_CONCURRENCY: String(options.workers),
    FORGE_LOG_LEVEL: 'warn',
    ...(options['cpu-prof'] ? { BENCH_CPU_PROF_DIR: options['cpu-prof'] } : {}),
    ...(kitEntry ? { BENCH_AGENT_KIT_ENTRY: kitEntry } : {}),
  });
  return { name, brain, child, client: a2aClient(child.url, key) };
}

interface Breakdown {
  calls: number;
  stages: Stage[];
  /** NATS operations, NATS socket writes and Postgres statements per call, in the agent process. */
  perCall: Record<string, number>;
}

/** `count` calls one at a time per side, in alternating chunks, with probes on → timelines. */
async function breakdowns(sides: Side[], count: number): Promise<Map<Side['name'], Breakdown>> {
  const marks = new Map<Side['name'], ClockMark[]>(sides.map((s) => [s.name, []]));
  const counts = new Map<Side['name'], Record<string, number>>(sides.map((s) => [s.name, {}]));
  const chunk = 20;
  for (let done = 0; done < count; done += chunk) {
    for (const side of done % (2 * chunk) === 0 ? sides : [...sides].reverse()) {
      const origin = (await side.child.ask('time-origin')) as number;
      const list = marks.get(side.name)!;
      await side.child.ask('probes-on');
      for (let i = 0; i < Math.min(chunk, count - done); i++) {
        list.push({ at: now(), label: 'client send' });
        await side.client.call();
        list.push({ at: now(), label: 'client reply' });
      }
      const taken = (await side.child.ask('probes-off')) as {
        marks: Array<{ t: number; label: string }>;
        counts: Record<string, number>;
      };
      for (const m of taken.marks) list.push({ at: origin + m.t, label: m.label });
      const sum = counts.get(side.name)!;
      for (const [kind, n] of Object.entries(taken.counts)) sum[kind] = (sum[kind] ?? 0) + n;
    }
  }
  return new Map(
    [...marks].map(([name, list]) => {
      const perCall = Object.fromEntries(
        Object.entries(counts.get(name)!)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([kind, n]) => [kind, round(n / count, 2)]),
      );
      return [name, { ...timeline(list), perCall }];
    }),
  );
}

/** One concurrency level: warm-up, then `rounds` rounds in which the sides take turns. */
async function level(
  sides: Side[],
  options: Options,
  concurrency: number,
): Promise<Map<Side['name'], LevelStats>> {
  for (const side of sides) await closedLoop(concurrency, options.warmup, side.client.call);
  const runs = new Map(
    sides.map((s) => [
      s.name,
      { latencies: [] as number[], errors: 0, elapsedMs: 0, firstError: undefined as string | undefined },
    ]),
  );
  for (const side of sides) {
    await side.child.ask('cpu-reset');
    if (options['cpu-prof']) await side.child.ask('profile-start');
  }
  const perRound = Math.max(1, Math.floor(options.calls / options.rounds));
  for (let round = 0; round < options.rounds; round++) {
    for (const side of round % 2 === 0 ? sides : [...sides].reverse()) {
      const run = await closedLoop(concurrency, perRound, side.client.call);
      const into = runs.get(side.name)!;
      into.latencies.push(...run.latenciesMs);
      into.errors += run.errors;
      into.elapsedMs += run.elapsedMs;
      into.firstError ??= run.firstError;
    }
  }
  const stats = new Map<Side['name'], LevelStats>();
  for (const side of sides) {
    const cpuMs = (await side.child.ask('cpu')) as number;
    if (options['cpu-prof'])
      console.log(`  ${side.name} CPU profile: ${await side.child.ask('profile-stop')}`);
    const run = runs.get(side.name)!;
    if (run.firstError) console.log(`  ${side.name} first error: ${run.firstError}`);
    const calls = run.latencies.length + run.errors;
    stats.set(side.name, {
      ...summarize(run.latencies, run.errors, run.elapsedMs),
      agentCpuMsPerCall: round(cpuMs / Math.max(1, calls), 3),
    });
  }
  return stats;
}

function printTimeline(name: string, breakdown: Breakdown): void {
  console.log(
    `\nbreakdown (${name}): ${breakdown.calls} calls one at a time, median time of each mark after the send`,
  );
  console.log('     at ms   +delta  stage');
  for (const s of breakdown.stages) {
    const share = s.seen < 1 ? `  (${Math.round(s.seen * 100)}% of calls)` : '';
    console.log(`${s.atMs.toFixed(3).padStart(10)} ${s.deltaMs.toFixed(3).padStart(8)}  ${s.label}${share}`);
  }
  const perCall = Object.entries(breakdown.perCall).map(([kind, n]) => `${kind} ${n}`);
  console.log(`per call (${name}): ${perCall.join(', ')}`);
}

function statsRow(label: string, stats: LevelStats): string {
  return [
    label.padEnd(16),
    String(stats.calls).padStart(7),
    String(stats.errors).padStart(7),
    stats.callsPerSec.toFixed(1).padStart(9),
    ...[stats.p50Ms, stats.p90Ms, stats.p99Ms, stats.maxMs].map((v) => v.toFixed(2).padStart(9)),
    stats.agentCpuMsPerCall.toFixed(3).padStart(18),
  ].join(' ');
}

async function main(options: Options): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'forge-bench-agent-kit-'));
  const key = `fk_bench_${randomBytes(16).toString('hex')}`;
  const keysFile = join(dir, 'api-keys.json');
  await writeFile(
    keysFile,
    JSON.stringify({
      v: 1,
      keys: [{ principal: 'bench', sha256: hashApiKey(key), createdAt: new Date().toISOString() }],
    }),
  );
  const nc = await connect({ servers: options.nats, name: 'bench-agent-kit', noAsyncTraces: true });
  const db = new pg.Client({ connectionString: options['database-url'] });
  await db.connect();
  const sides: Side[] = [];
  const loadBefore = loadavg();
  try {
    sides.push(await startSide('current', options, keysFile, key, undefined));
    if (options.kit) sides.push(await startSide('baseline', options, keysFile, key, resolve(options.kit)));
    const first = sides[0]!;
    console.log(
      `agent-kit bench: ${sides.map((s) => `${s.name} (${s.name === 'baseline' ? options.kit : '@forge/agent-kit'}, brain ${s.brain})`).join(' vs ')}; workers ${options.workers}; load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`,
    );

    const floors = {
      http: await floor(500, async () => (await fetch(`${first.child.url}/livez`)).arrayBuffer()),
      nats: await floor(500, () => nc.request(`bench-echo.${first.brain}`, 'x', { timeout: 5_000 })),
      pg: await floor(500, () => db.query('SELECT 1')),
    };
    console.log(
      `floors (p50/p99 ms): HTTP GET ${floors.http.p50Ms}/${floors.http.p99Ms}, NATS echo ${floors.nats.p50Ms}/${floors.nats.p99Ms}, Postgres SELECT 1 ${floors.pg.p50Ms}/${floors.pg.p99Ms}`,
    );

    for (const side of sides) await closedLoop(1, options.warmup, side.client.call);
    const timelines: Map<Side['name'], Breakdown> =
      options.breakdown > 0 ? await breakdowns(sides, options.breakdown) : new Map();
    for (const side of sides) {
      const t = timelines.get(side.name);
      if (t) printTimeline(side.name, t);
    }

    const levels: Record<string, Record<string, LevelStats>> = {};
    console.log(
      `\n${'level / side'.padEnd(16)}   calls  errors   calls/s    p50 ms    p90 ms    p99 ms    max ms  agent CPU ms/call`,
    );
    for (const concurrency of options.concurrency) {
      const stats = await level(sides, options, concurrency);
      levels[String(concurrency)] = Object.fromEntries(stats);
      for (const [name, s] of stats) console.log(statsRow(`c=${concurrency} ${name}`, s));
    }
    const ratio = options.kit
      ? Object.fromEntries(
          Object.entries(levels).map(([c, bySide]) => {
            const cur = bySide.current!;
            const base = bySide.baseline!;
            return [
              c,
              {
                p50: round(cur.p50Ms / base.p50Ms, 3),
                p99: round(cur.p99Ms / base.p99Ms, 3),
                callsPerSec: round(cur.callsPerSec / base.callsPerSec, 3),
                cpuPerCall: round(cur.agentCpuMsPerCall / base.agentCpuMsPerCall, 3),
              },
            ];
          }),
        )
      : null;
    if (ratio) {
      console.log('\ncurrent / baseline (latency: below 1 is faster; calls/s: above 1 is more)');
      for (const [c, r] of Object.entries(ratio))
        console.log(
          `  c=${c}: p50 ${r.p50}, p99 ${r.p99}, calls/s ${r.callsPerSec}, CPU/call ${r.cpuPerCall}`,
        );
    }
    const loadAfter = loadavg();
    console.log(`load average at the end ${loadAfter.map((l) => l.toFixed(2)).join(' ')}`);
    console.log(
      JSON.stringify({
        bench: 'agent-kit',
        baselineKit: options.kit ?? null,
        calls: options.calls,
        rounds: options.rounds,
        workers: options.workers,
        floors,
        levels,
        ratio,
        breakdown: Object.fromEntries(
          [...timelines].map(([name, t]) => [
            name,
            {
              calls: t.calls,
              perCall: t.perCall,
              stages: t.stages.map((s: Stage) => ({ label: s.label, atMs: s.atMs, deltaMs: s.deltaMs })),
            },
          ]),
        ),
        machine: { loadBefore: loadBefore.map((l) => round(l)), loadAfter: loadAfter.map((l) => round(l)) },
      }),
    );
  } finally {
    for (const side of sides) await side.child.stop().catch(() => undefined);
    await db.end().catch(() => undefined);
    for (const side of sides) await deleteBrainStreams(nc, side.brain).catch(() => undefined);
    await nc.close();
    for (const side of sides)
      await dropBrainSchema(options['database-url'], side.brain).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

let parsed: Options | 'help';
try {
  parsed = parseOptions(process.argv.slice(2), process.env);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(2);
}
if (parsed === 'help') {
  console.log(USAGE);
} else {
  await main(parsed);
}
