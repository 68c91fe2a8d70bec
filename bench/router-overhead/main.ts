/**
 * Router-overhead benchmark: what the router adds to a model call. In one run, at a fixed open-loop
 * rate against the same fake LLM server: (a) straight through the openai SDK, (b) through the
 * model gateway as skills call it (agent-kit's NatsModelClient over the real NATS to a router
 * process with its admission and ledger in the real Postgres), (c) through the router's
 * `/v1/chat/completions` with the openai SDK; and each transport's bare floor (a NATS
 * request/reply echo, an HTTP echo). Reports p50/p99 per path, what (b) and (c) add over (a) and
 * over their floor, the gateway's own work as the router times it, and a ramp to the most
 * calls/s one router process sustains. Ends with one JSON line.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
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
import { isInterrupted, onInterrupt } from '../cost-month/interrupt.js';
import { type BenchChild, startChild } from './child.js';
import { summarizeLoop } from './latency.js';
import { openLoop } from './open-loop.js';
import { type Options, parseOptions, USAGE } from './options.js';
import { type CallPath, directPath, gatewayPath, httpEchoPath, httpPath, natsEchoPath } from './paths.js';
import { formatReport, jsonLine, type OverheadRun, type PathResult, type RampStep } from './report.js';
import { RouterStats } from './router-stats.js';
import { createBenchTasks, overheadRoutingConfig, writeApiKeys } from './setup.js';

/** Seconds each router path runs before the measurements start. */
const ROUTER_WARMUP_S = 2;

const say = (text: string) => process.stderr.write(`${text}\n`);
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

/** A value the child announced when it got ready (its URLs, its echo subject). */
function announced(child: BenchChild, key: string): string {
  const value = child.info[key];
  if (!value) throw new Error(`a child process did not announce its ${key}`);
  return value;
}

/** Waits (bounded, in the child) until the router has worked off the last phase; says so if it did not. */
async function settle(router: BenchChild): Promise<void> {
  if ((await router.ask('settle', 30_000)) !== true)
    say('  (the router was still busy 20 s after the last phase)');
}

async function routerStats(router: BenchChild): Promise<RouterStats> {
  return RouterStats.parse(await router.ask('stats'));
}

/** Warms a path up, then measures it; for a router path, with the router's own numbers over the same calls. */
async function measure(name: string, call: CallPath, o: Options, router?: BenchChild): Promise<PathResult> {
  if (o.warmup > 0) await openLoop({ rate: o.rate, durationMs: o.warmup * 1000, call });
  if (router) await router.ask('reset');
  const result: PathResult = summarizeLoop(
    await openLoop({ rate: o.rate, durationMs: o.duration * 1000, call, graceMs: 6_000 }),
  );
  if (router) result.router = await routerStats(router);
  say(`  ${name}: p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms, ${result.errors} errors`);
  return result;
}

/** Raises the rate on the gateway path until a step fails its bound; the last passing rate is the answer. */
async function ramp(call: CallPath, o: Options, router: BenchChild): Promise<RampStep[]> {
  const steps: RampStep[] = [];
  for (const rate of o.ramp) {
    await settle(router);
    await router.ask('reset');
    const result = summarizeLoop(
      await openLoop({ rate, durationMs: o.rampStep * 1000, call, graceMs: 5_000 }),
    );
    const stats = await routerStats(router);
    const pass = result.errors === 0 && result.p99 <= o.rampP99 && result.achievedPerSec >= 0.95 * rate;
    steps.push({ ...result, rate, pass, routerCpu: stats.wallMs > 0 ? stats.cpuMs / stats.wallMs : 0 });
    say(
      `  ramp ${rate}/s: ${pass ? 'ok' : 'fail'} (p99 ${result.p99.toFixed(2)} ms, ${result.errors} errors)`,
    );
    if (!pass) break;
  }
  return steps;
}

async function main(o: Options): Promise<void> {
  const started = performance.now();
  const loadStart = loadavg()[0] ?? 0;
  const brain = uniqueBrain('ovh');
  const schema = schemaForBrain(brain);
  const logger = createLogger({ name: 'bench-router-overhead', level: 'warn', destination: process.stderr });
  const dir = await mkdtemp(join(tmpdir(), 'forge-router-overhead-'));
  const undo: Array<() => Promise<unknown>> = [() => rm(dir, { recursive: true, force: true })];
  const undoAll = async () => {
    for (const step of undo.reverse().splice(0))
      await step().catch((error: unknown) => say(`cleanup: ${String(error)}`));
  };
  const unregister = onInterrupt(undoAll);
  try {
    const configPath = join(dir, 'routing.json');
    await writeFile(
      configPath,
      JSON.stringify(overheadRoutingConfig(await loadRoutingConfigFile(DEFAULT_ROUTING_CONFIG_PATH))),
    );
    const keys = await writeApiKeys(dir);
    say(`router-overhead: brain ${brain}, starting the upstream and router processes`);
    const upstream = await startChild(here('./fake-process.ts'), {
      NATS_URL: o.nats,
      BENCH_ECHO_SUBJECT: `bench.${brain}.echo`,
    });
    undo.push(() => upstream.stop());
    undo.push(async () => {
      await dropBrainSchema(o.databaseUrl, brain);
      const nc = await connect({ servers: o.nats, name: 'router-overhead-cleanup' });
      await deleteBrainStreams(nc, brain).finally(() => nc.close());
    });
    const router = await startChild(
      here('./router-process.ts'),
      {
        FORGE_BRAIN: brain,
        FORGE_PORT: '0',
        NATS_URL: o.nats,
        DATABASE_URL: o.databaseUrl,
        FORGE_ROUTING_CONFIG: configPath,
        FORGE_API_KEYS_FILE: keys.path,
        FORGE_LOG_LEVEL: 'warn',
        OPENAI_API_KEY: 'sk-bench-placeholder',
        OPENAI_BASE_URL: announced(upstream, 'openaiBaseUrl'),
      },
      {
        extraExecArgv: [
          ...(o.telemetry ? ['--import', here('./router-instrumentation.ts')] : []),
          ...(o.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${resolve(o.cpuProf)}`] : []),
        ],
      },
    );
    undo.push(() => router.stop());
    const pool = createPool({
      connectionString: o.databaseUrl,
      max: 2,
      applicationName: 'bench-router-overhead',
      logger,
    });
    undo.push(() => pool.end());
    const taskIds = await createBenchTasks(pool, schema, brain, o.tasks);
    const bus = await Bus.connect({ servers: o.nats, name: 'bench-skills', brain, logger });
    undo.push(() => bus.drain());
    const nc = await connect({ servers: o.nats, name: 'bench-raw' });
    undo.push(() => nc.drain());

    say(`measuring ${o.rate} calls/s, ${o.warmup} s warm-up + ${o.duration} s per path`);
    // The bare paths first, while the router is idle, so its work does not slow them down.
    const floors = {
      nats: await measure('floor: NATS echo', natsEchoPath(nc, announced(upstream, 'echoSubject')), o),
      http: await measure('floor: HTTP echo', httpEchoPath(announced(upstream, 'echoUrl')), o),
    };
    const direct = await measure('direct', directPath(announced(upstream, 'openaiBaseUrl')), o);
    const gatewayCall = gatewayPath(bus, taskIds);
    const httpCall = httpPath(announced(router, 'url'), keys.key);
    // The router's first seconds are not its steady state (JIT, pool connections opened, the
    // tasks routed on their first call): both of its paths run once before they are measured.
    say(`warming the router up: ${ROUTER_WARMUP_S} s per path at ${Math.min(o.rate, 250)} calls/s`);
    for (const call of [gatewayCall, httpCall]) {
      await openLoop({ rate: Math.min(o.rate, 250), durationMs: ROUTER_WARMUP_S * 1000, call });
    }
    await settle(router);
    const gateway = await measure('gateway', gatewayCall, o, router);
    await settle(router);
    const http = await measure('/v1/chat/completions', httpCall, o, router);
    await settle(router);
    const steps = o.ramp.length > 0 ? await ramp(gatewayCall, o, router) : [];
    const run: OverheadRun = {
      rate: o.rate,
      durationS: o.duration,
      floors,
      direct,
      gateway,
      http,
      ramp: steps,
      rampP99Ms: o.rampP99,
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
