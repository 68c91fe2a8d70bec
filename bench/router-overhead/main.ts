/**
 * Router-overhead benchmark: what the router adds to a model call, with its model transports side
 * by side. In one run, at a fixed open-loop rate against the same fake LLM server: (a) straight
 * through the openai SDK, and for each transport (`sdk`: the vendor SDKs, `wire`: the thin wire
 * client), on a brain and router process(es) of its own, (b) through the model gateway as skills
 * call it (agent-kit's NatsModelClient over the real NATS, admission and ledger in the real
 * Postgres) and (c) through `/v1/chat/completions` with the openai SDK; the transports alternate
 * round by round. Beside them each transport's bare floor (a NATS request/reply echo, an HTTP
 * echo). Reports p50/p99 per path, what (b) and (c) add over their floor, the gateway's own work
 * as the router times it, the routers' CPU per call, a ramp to the most calls/s the routers
 * sustain, and whether the money stayed exact (ledger rows = calls, spend = ledger, no live
 * hold). Ends with one JSON line.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Bus } from '@forge/bus';
import { loadRoutingConfigFile } from '@forge/policy';
import { DEFAULT_ROUTING_CONFIG_PATH } from '@forge/service-router';
import { createPool, schemaForBrain } from '@forge/store';
import { createLogger } from '@forge/telemetry';
import { deleteBrainStreams, dropBrainSchema, uniqueBrain } from '@forge/testkit';
import { connect } from '@nats-io/transport-node';
import type pg from 'pg';
import { type BenchChild, startChild } from '../lib/child.js';
import { isInterrupted, onInterrupt } from '../lib/interrupt.js';
import { summarizeLoop } from '../lib/latency.js';
import { openLoop } from '../lib/open-loop.js';
import { summarizeProfile } from '../lib/profile-summary.js';
import { type CallCount, checkBudgets } from './budget-check.js';
import { type Options, parseOptions, USAGE } from './options.js';
import {
  type CallPath,
  directPath,
  gatewayPath,
  httpEchoPath,
  httpPath,
  natsEchoPath,
  rawGatewayPath,
} from './paths.js';
import {
  formatReport,
  jsonLine,
  type OverheadRun,
  type PathResult,
  type ProfileTop,
  type RampStep,
  type TransportRun,
} from './report.js';
import { RouterStats } from './router-stats.js';
import { createBenchTasks, GENEROUS_USD, overheadRoutingConfig, writeApiKeys } from './setup.js';

/** Seconds each router path runs before the measurements start. */
const ROUTER_WARMUP_S = 2;

type Transport = 'sdk' | 'wire';
type Replies = 'coalesced' | 'direct';

const say = (text: string) => process.stderr.write(`${text}\n`);
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

/** A value the child announced when it got ready (its URLs, its echo subject). */
function announced(child: BenchChild, key: string): string {
  const value = child.info[key];
  if (!value) throw new Error(`a child process did not announce its ${key}`);
  return value;
}

/** One transport's brain: its router replicas, its tasks and its two paths, counting every call. */
interface Deployment {
  /** The transport, with the reply mode when the run compares both. */
  transport: string;
  brain: string;
  schema: string;
  routers: BenchChild[];
  gateway: CallPath;
  /** The same gateway calls, sent by hand over core NATS (the ramp's default client). */
  rawGateway: CallPath;
  http: CallPath;
  calls: CallCount;
  result: TransportRun;
}

/** Counts what a path's calls did, over every phase, for the ledger check. */
function counted(call: CallPath, count: CallCount): CallPath {
  return () => {
    count.issued += 1;
    return call().then(
      (value) => {
        count.ok += 1;
        return value;
      },
      (error: unknown) => {
        count.failed += 1;
        throw error;
      },
    );
  };
}

/** Round robin over the replicas' HTTP ports. */
function roundRobin(paths: CallPath[]): CallPath {
  let next = 0;
  return () => paths[next++ % paths.length]!();
}

/** Waits (bounded, in each child) until every router has worked off the last phase. */
async function settle(routers: BenchChild[]): Promise<void> {
  const answers = await Promise.all(routers.map((r) => r.ask('settle', 30_000)));
  if (answers.some((a) => a !== true)) say('  (a router was still busy 20 s after the last phase)');
}

/** The replicas' numbers over one phase: CPU and calls summed, own-work percentiles the worst replica's. */
async function routerStats(routers: BenchChild[]): Promise<RouterStats> {
  const all = await Promise.all(routers.map(async (r) => RouterStats.parse(await r.ask('stats'))));
  const worst = (key: 'p50' | 'p90' | 'p99') =>
    all.reduce<number | null>((m, s) => (s[key] === null ? m : Math.max(m ?? 0, s[key])), null);
  return {
    count: all.reduce((n, s) => n + s.count, 0),
    p50: worst('p50'),
    p90: worst('p90'),
    p99: worst('p99'),
    cpuMs: all.reduce((n, s) => n + s.cpuMs, 0),
    wallMs: Math.max(...all.map((s) => s.wallMs)),
  };
}

/** Warms a path up, then measures it; for a router path, with the routers' own numbers over the same calls. */
async function measure(
  name: string,
  call: CallPath,
  o: Options,
  routers?: BenchChild[],
  profile?: string,
): Promise<PathResult> {
  if (o.warmup > 0) await openLoop({ rate: o.rate, durationMs: o.warmup * 1000, call });
  if (routers) await Promise.all(routers.map((r) => r.ask('reset')));
  if (routers && profile) await Promise.all(routers.map((r) => r.ask('profile-start')));
  const result: PathResult = summarizeLoop(
    await openLoop({ rate: o.rate, durationMs: o.duration * 1000, call, graceMs: 6_000 }),
  );
  if (routers) result.router = await routerStats(routers);
  if (routers && profile)
    await Promise.all(routers.map((r, i) => r.ask(`profile-stop:${profile}-r${i + 1}.cpuprofile`)));
  const cpu =
    result.router && result.router.count > 0
      ? `, router CPU ${(result.router.cpuMs / result.router.count).toFixed(2)} ms/call`
      : '';
  say(
    `  ${name}: p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms, ${result.errors} errors${cpu}`,
  );
  return result;
}

/** One ramp step on a deployment's gateway path. */
async function rampStep(d: Deployment, rate: number, o: Options): Promise<RampStep> {
  await settle(d.routers);
  await Promise.all(d.routers.map((r) => r.ask('reset')));
  const call = o.rampClient === 'raw' ? d.rawGateway : d.gateway;
  const result = summarizeLoop(await openLoop({ rate, durationMs: o.rampStep * 1000, call, graceMs: 5_000 }));
  const stats = await routerStats(d.routers);
  const pass = result.errors === 0 && result.p99 <= o.rampP99 && result.achievedPerSec >= 0.95 * rate;
  const step: RampStep = {
    ...result,
    rate,
    pass,
    routerCpu: stats.wallMs > 0 ? stats.cpuMs / stats.wallMs : 0,
    cpuPerCall: stats.count > 0 ? stats.cpuMs / stats.count : null,
  };
  say(
    `  ramp ${d.transport} ${rate}/s: ${pass ? 'ok' : 'fail'} (p99 ${result.p99.toFixed(2)} ms, ${result.errors} errors)`,
  );
  return step;
}

async function startDeployment(
  transport: Transport,
  replies: Replies,
  o: Options,
  env: Record<string, string>,
  pool: pg.Pool,
  undo: Array<() => Promise<unknown>>,
  keys: { key: string },
): Promise<Deployment> {
  const label = o.replies.length > 1 ? `${transport}-${replies}` : transport;
  const brain = uniqueBrain(`ovh${transport}${replies === 'direct' ? 'd' : ''}`);
  const schema = schemaForBrain(brain);
  undo.push(async () => {
    await dropBrainSchema(o.databaseUrl, brain);
    const nc = await connect({ servers: o.nats, name: 'router-overhead-cleanup' });
    await deleteBrainStreams(nc, brain).finally(() => nc.close());
  });
  const start = () =>
    startChild(
      here('./router-process.ts'),
      {
        ...env,
        FORGE_BRAIN: brain,
        FORGE_MODEL_TRANSPORT: transport,
        FORGE_BUS_COALESCE_REPLIES: replies === 'direct' ? '0' : '1',
      },
      { extraExecArgv: o.telemetry ? ['--import', here('./router-instrumentation.ts')] : [] },
    );
  // The first replica migrates the schema; the others start once it is there.
  const first = await start();
  undo.push(() => first.stop());
  const rest = await Promise.all(Array.from({ length: o.replicas - 1 }, start));
  for (const r of rest) undo.push(() => r.stop());
  const routers = [first, ...rest];
  const taskIds = await createBenchTasks(pool, schema, brain, o.tasks);
  const logger = createLogger({ name: 'bench-router-overhead', level: 'warn', destination: process.stderr });
  const bus = await Bus.connect({ servers: o.nats, name: `bench-skills-${transport}`, brain, logger });
  undo.push(() => bus.drain());
  const calls: CallCount = { issued: 0, ok: 0, failed: 0 };
  const nc = await connect({ servers: o.nats, name: `bench-raw-gateway-${transport}` });
  undo.push(() => nc.drain());
  return {
    transport: label,
    brain,
    schema,
    routers,
    gateway: counted(gatewayPath(bus, taskIds), calls),
    rawGateway: counted(rawGatewayPath(nc, bus.subjects.modelCall, taskIds), calls),
    http: counted(roundRobin(routers.map((r) => httpPath(announced(r, 'url'), keys.key))), calls),
    calls,
    result: { transport: label, replies, rounds: [], ramp: [], profiles: [] },
  };
}

async function main(o: Options): Promise<void> {
  const started = performance.now();
  const loadStart = loadavg()[0] ?? 0;
  const logger = createLogger({ name: 'bench-router-overhead', level: 'warn', destination: process.stderr });
  const dir = await mkdtemp(join(tmpdir(), 'forge-router-overhead-'));
  const undo: Array<() => Promise<unknown>> = [() => rm(dir, { recursive: true, force: true })];
  const undoAll = async () => {
    for (const step of undo.reverse().splice(0))
      await step().catch((error: unknown) => say(`cleanup: ${String(error)}`));
  };
  const unregister = onInterrupt(undoAll);
  const profileDir = o.cpuProf ? resolve(o.cpuProf) : undefined;
  try {
    if (profileDir) await mkdir(profileDir, { recursive: true });
    const configPath = join(dir, 'routing.json');
    await writeFile(
      configPath,
      JSON.stringify(overheadRoutingConfig(await loadRoutingConfigFile(DEFAULT_ROUTING_CONFIG_PATH))),
    );
    const keys = await writeApiKeys(dir);
    say(
      `router-overhead: transports ${o.transports.join(', ')}, replies ${o.replies.join(', ')}, ${o.replicas} router(s) each; starting the processes`,
    );
    const upstream = await startChild(here('./fake-process.ts'), {
      NATS_URL: o.nats,
      BENCH_ECHO_SUBJECT: `bench.${uniqueBrain('echo')}.echo`,
    });
    undo.push(() => upstream.stop());
    const pool = createPool({
      connectionString: o.databaseUrl,
      max: 2,
      applicationName: 'bench-router-overhead',
      logger,
    });
    undo.push(() => pool.end());
    const env = {
      FORGE_PORT: '0',
      NATS_URL: o.nats,
      DATABASE_URL: o.databaseUrl,
      FORGE_ROUTING_CONFIG: configPath,
      FORGE_API_KEYS_FILE: keys.path,
      FORGE_LOG_LEVEL: 'warn',
      OPENAI_API_KEY: 'sk-bench-placeholder',
      OPENAI_BASE_URL: announced(upstream, 'openaiBaseUrl'),
    };
    const deployments: Deployment[] = [];
    for (const transport of o.transports)
      for (const replies of o.replies)
        deployments.push(await startDeployment(transport, replies, o, env, pool, undo, keys));
    const allRouters = deployments.flatMap((d) => d.routers);
    const nc = await connect({ servers: o.nats, name: 'bench-raw' });
    undo.push(() => nc.drain());

    say(
      `measuring ${o.rate} calls/s, ${o.warmup} s warm-up + ${o.duration} s per path, ${o.rounds} round(s)`,
    );
    // The bare paths first, while the routers are idle, so their work does not slow them down.
    const floors = {
      nats: await measure('floor: NATS echo', natsEchoPath(nc, announced(upstream, 'echoSubject')), o),
      http: await measure('floor: HTTP echo', httpEchoPath(announced(upstream, 'echoUrl')), o),
    };
    const direct = await measure('direct', directPath(announced(upstream, 'openaiBaseUrl')), o);
    // A router's first seconds are not its steady state (JIT, pool connections opened, the tasks
    // routed on their first call): every router path runs once before it is measured.
    say(`warming the routers up: ${ROUTER_WARMUP_S} s per path at ${Math.min(o.rate, 250)} calls/s`);
    for (const d of deployments)
      for (const call of [d.gateway, d.http])
        await openLoop({ rate: Math.min(o.rate, 250), durationMs: ROUTER_WARMUP_S * 1000, call });
    for (let round = 1; round <= o.rounds; round++) {
      // The order alternates, so a drift of the machine's load hits every transport alike.
      const order = round % 2 === 1 ? deployments : [...deployments].reverse();
      for (const d of order) {
        const profile = profileDir && round === 1 ? join(profileDir, `${d.transport}`) : undefined;
        await settle(allRouters);
        const gateway = await measure(
          `round ${round} ${d.transport} gateway`,
          d.gateway,
          o,
          d.routers,
          profile && `${profile}-gateway`,
        );
        await settle(allRouters);
        const http = await measure(
          `round ${round} ${d.transport} /v1/chat/completions`,
          d.http,
          o,
          d.routers,
          profile && `${profile}-http`,
        );
        d.result.rounds.push({ round, gateway, http });
      }
    }
    // The ramp interleaves the transports rate by rate; each stops at its first failing rate.
    const active = new Set(deployments);
    for (const rate of o.ramp) {
      if (active.size === 0) break;
      for (const d of deployments) {
        if (!active.has(d)) continue;
        await settle(allRouters);
        const step = await rampStep(d, rate, o);
        d.result.ramp.push(step);
        if (!step.pass) active.delete(d);
      }
    }
    // Stopping the routers releases their leases and flushes their ledgers: then the money is checked.
    await Promise.all(allRouters.map((r) => r.stop()));
    for (const d of deployments) {
      d.result.budgets = await checkBudgets(pool, d.schema, d.calls, GENEROUS_USD);
      if (profileDir) {
        for (const path of ['gateway', 'http'] as const) {
          const files = d.routers.map((_r, i) =>
            join(profileDir, `${d.transport}-${path}-r${i + 1}.cpuprofile`),
          );
          const tops = await Promise.all(files.map((f) => summarizeProfile(f, 12)));
          d.result.profiles.push(...tops.map((t, i): ProfileTop => ({ path, replica: i + 1, ...t })));
        }
      }
    }
    const run: OverheadRun = {
      rate: o.rate,
      durationS: o.duration,
      replicas: o.replicas,
      floors,
      direct,
      transports: deployments.map((d) => d.result),
      rampP99Ms: o.rampP99,
      rampClient: o.rampClient,
      telemetry: o.telemetry,
      elapsedS: (performance.now() - started) / 1000,
      machine: { cores: availableParallelism(), loadStart, loadEnd: loadavg()[0] ?? 0 },
    };
    process.stdout.write(`${formatReport(run)}\n${jsonLine(run)}\n`);
  } finally {
    await undoAll();
    unregister();
  }
}

let options: Options | 'help';
try {
  options = parseOptions(process.argv.slice(2), process.env);
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
}
if (options === 'help') {
  process.stdout.write(`${USAGE}\n`);
} else {
  await main(options).catch((error: unknown) => {
    // Interrupted: the signal handler is cleaning up and exits when it is done.
    if (isInterrupted()) return;
    process.stderr.write(
      `router-overhead failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  });
}
