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
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hashApiKey } from '@forge/agent-kit';
import { deleteBrainStreams, dropBrainSchema, uniqueBrain } from '@forge/testkit';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
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
  const headers = { 'content-type': 'application/json', 'a2a-version': '1.0', authorization: `Bearer ${key}` };
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
      const reply = (await res.json()) as { result?: { task?: { status?: { state?: string } } }; error?: unknown };
      const state = reply.result?.task?.status?.state;
      if (state !== 'TASK_STATE_COMPLETED') throw new Error(`unexpected reply: ${JSON.stringify(reply).slice(0, 300)}`);
    },
  };
}

/** Closed loop: `concurrency` callers, `count` calls in all. */
async function closedLoop(
  concurrency: number,
  count: number,
  call: () => Promise<void>,
): Promise<{ latencies: number[]; errors: number; elapsedMs: number; firstError?: string }> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let next = 0;
  const began = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next++;
        const t0 = performance.now();
        try {
          await call();
          latencies.push(performance.now() - t0);
        } catch (error) {
          errors++;
          firstError ??= String(error);
        }
      }
    }),
  );
  return { latencies, errors, elapsedMs: performance.now() - began, ...(firstError ? { firstError } : {}) };
}

async function floor(count: number, call: () => Promise<unknown>): Promise<{ p50Ms: number; p99Ms: number }> {
  for (let i = 0; i < Math.min(100, count); i++) await call();
  const { latencies } = await closedLoop(1, count, async () => {
    await call();
  });
  const sorted = latencies.sort((a, b) => a - b);
  return { p50Ms: round(quantile(sorted, 0.5), 3), p99Ms: round(quantile(sorted, 0.99), 3) };
}

async function main(options: Options): Promise<void> {
  const brain = uniqueBrain('bakit');
  const dir = await mkdtemp(join(tmpdir(), 'forge-bench-agent-kit-'));
  const key = `fk_bench_${randomBytes(16).toString('hex')}`;
  const keysFile = join(dir, 'api-keys.json');
  await writeFile(
    keysFile,
    JSON.stringify({ v: 1, keys: [{ principal: 'bench', sha256: hashApiKey(key), createdAt: new Date().toISOString() }] }),
  );
  const nc = await connect({ servers: options.nats, name: 'bench-agent-kit', noAsyncTraces: true });
  const db = new pg.Client({ connectionString: options['database-url'] });
  await db.connect();
  let child: AgentChild | undefined;
  const loadBefore = loadavg();
  try {
    child = await startAgentChild(join(here, 'agent-process.ts'), join(here, 'instrumentation.ts'), {
      FORGE_BRAIN: brain,
      FORGE_PORT: '0',
      NATS_URL: options.nats,
      DATABASE_URL: options['database-url'],
      FORGE_API_KEYS_FILE: keysFile,
      FORGE_CONCURRENCY: String(options.workers),
      FORGE_LOG_LEVEL: 'warn',
      ...(options['cpu-prof'] ? { BENCH_CPU_PROF_DIR: options['cpu-prof'] } : {}),
    });
    const agent = child;
    const client = a2aClient(agent.url, key);
    console.log(
      `agent-kit bench: brain ${brain}, workers ${options.workers}, load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`,
    );

    const floors = {
      http: await floor(500, async () => (await fetch(`${agent.url}/livez`)).arrayBuffer()),
      nats: await floor(500, () => nc.request(`bench-echo.${brain}`, 'x', { timeout: 5_000 })),
      pg: await floor(500, () => db.query('SELECT 1')),
    };
    console.log(
      `floors (p50/p99 ms): HTTP GET ${floors.http.p50Ms}/${floors.http.p99Ms}, NATS echo ${floors.nats.p50Ms}/${floors.nats.p99Ms}, Postgres SELECT 1 ${floors.pg.p50Ms}/${floors.pg.p99Ms}`,
    );

    let breakdown: { calls: number; stages: Stage[] } | undefined;
    if (options.breakdown > 0) {
      await closedLoop(1, options.warmup, client.call);
      const childOrigin = (await agent.ask('time-origin')) as number;
      const clientMarks: ClockMark[] = [];
      await agent.ask('probes-on');
      for (let i = 0; i < options.breakdown; i++) {
        clientMarks.push({ at: now(), label: 'client send' });
        await client.call();
        clientMarks.push({ at: now(), label: 'client reply' });
      }
      const marks = (await agent.ask('probes-off')) as Array<{ t: number; label: string }>;
      breakdown = timeline([...clientMarks, ...marks.map((m) => ({ at: childOrigin + m.t, label: m.label }))]);
      console.log(`\nbreakdown: ${breakdown.calls} calls one at a time, median time of each mark after the send`);
      console.log('     at ms   +delta  stage');
      for (const s of breakdown.stages) {
        const share = s.seen < 1 ? `  (${Math.round(s.seen * 100)}% of calls)` : '';
        console.log(`${s.atMs.toFixed(3).padStart(10)} ${s.deltaMs.toFixed(3).padStart(8)}  ${s.label}${share}`);
      }
    }

    const levels: Record<string, LatencyStats & { agentCpuMsPerCall: number }> = {};
    console.log('\nconcurrency   calls  errors   calls/s    p50 ms    p90 ms    p99 ms    max ms  agent CPU ms/call');
    for (const level of options.concurrency) {
      await closedLoop(level, options.warmup, client.call);
      await agent.ask('cpu-reset');
      if (options['cpu-prof']) await agent.ask('profile-start');
      const run = await closedLoop(level, options.calls, client.call);
      const cpuMs = (await agent.ask('cpu')) as number;
      if (options['cpu-prof']) console.log(`  CPU profile: ${await agent.ask('profile-stop')}`);
      const stats = { ...summarize(run.latencies, run.errors, run.elapsedMs), agentCpuMsPerCall: round(cpuMs / options.calls, 3) };
      levels[String(level)] = stats;
      console.log(
        [
          String(level).padStart(11),
          String(stats.calls).padStart(7),
          String(stats.errors).padStart(7),
          stats.callsPerSec.toFixed(1).padStart(9),
          ...[stats.p50Ms, stats.p90Ms, stats.p99Ms, stats.maxMs].map((v) => v.toFixed(2).padStart(9)),
          stats.agentCpuMsPerCall.toFixed(3).padStart(18),
        ].join(' '),
      );
      if (run.firstError) console.log(`  first error: ${run.firstError}`);
    }
    const loadAfter = loadavg();
    console.log(`load average at the end ${loadAfter.map((l) => l.toFixed(2)).join(' ')}`);
    console.log(
      JSON.stringify({
        bench: 'agent-kit',
        calls: options.calls,
        workers: options.workers,
        floors,
        levels,
        breakdown: breakdown
          ? { calls: breakdown.calls, stages: breakdown.stages.map((s) => ({ label: s.label, atMs: s.atMs, deltaMs: s.deltaMs })) }
          : null,
        machine: { loadBefore: loadBefore.map((l) => round(l)), loadAfter: loadAfter.map((l) => round(l)) },
      }),
    );
  } finally {
    await child?.stop().catch(() => undefined);
    await db.end().catch(() => undefined);
    await deleteBrainStreams(nc, brain).catch(() => undefined);
    await nc.close();
    await dropBrainSchema(options['database-url'], brain).catch(() => undefined);
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
