/**
 * `bench mesh`: the path a user's task takes under `forge up`, for a tool-tier skill: A2A edge
 * (blocking `SendMessage`, JSON-RPC v1.0, API key) → `task.route` → router (decision recorded,
 * stamped, forwarded) → `task.run.benchmesh` → worker (claim, skill, committed result) → status
 * events → the edge answers. The router and the agent run as `forge up` runs them (separate
 * processes, telemetry on, spans made and not exported), on a nats-server of the bench's own and
 * the machine's Postgres (a schema per side).
 *
 * Closed loop at each `--concurrency`, open loop at each `--rates`: tasks/s, p50/p99 (client
 * side), and the CPU per task of every process from /proc/<pid>/stat: the agent (edge + worker),
 * the router, NATS, the Postgres backends serving them and the server's shared processes, and the
 * bench client. Beside them the floors, measured in the same run: raw JetStream
 * publish→consume→ack, a Postgres commit, an HTTP round trip. With `--baseline DIR` a second side
 * (another checkout's router and agent) runs level by level alternating with this one. Ends with
 * one JSON line.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { loadRoutingConfigFile } from '@forge/policy';
import { DEFAULT_ROUTING_CONFIG_PATH } from '@forge/service-router';
import { hashApiKey } from '@forge/service-runtime';
import { createPool, schemaForBrain } from '@forge/store';
import { createLogger } from '@forge/telemetry';
import { dropBrainSchema, uniqueBrain } from '@forge/testkit';
import { type BenchChild, startChild } from '../lib/child.js';
import { closedLoop } from '../lib/closed-loop.js';
import { isInterrupted, onInterrupt } from '../lib/interrupt.js';
import { percentile } from '../lib/latency.js';
import { openLoop } from '../lib/open-loop.js';
import { type Floor, httpFloor, jetstreamFloor, postgresFloor } from './floors.js';
import { REPO_ROOT } from './forge-up.js';
import { startNats } from './nats-server.js';
import { type Options, parseOptions, USAGE } from './options.js';
import { auxiliaryPids, backendPids, CpuWindow } from './proc-cpu.js';

const say = (text: string) => process.stderr.write(`${text}\n`);
const SKILL = 'benchmesh.echo';
/** Files a side's children run from, relative to its checkout (copied into a `--baseline`). */
const CHILD_FILES = [
  'bench/mesh/agent-process.ts',
  'bench/mesh/agent-instrumentation.ts',
  'bench/mesh/router-process.ts',
  'bench/lib/child.ts',
  'bench/router-overhead/router-instrumentation.ts',
];

interface Side {
  readonly name: 'current' | 'baseline';
  readonly brain: string;
  readonly router: BenchChild;
  readonly agent: BenchChild;
  readonly routerPid: number;
  readonly agentPid: number;
  readonly url: string;
}

/** CPU ms per task of each process over one measured level. */
interface CpuPerTask {
  agent: number;
  router: number;
  nats: number;
  postgres: number;
  postgresShared: number;
  client: number;
  total: number;
}

interface Level {
  side: Side['name'];
  mode: 'closed' | 'open';
  /** Callers (closed loop) or tasks/s offered (open loop). */
  level: number;
  tasks: number;
  errors: number;
  firstError?: string;
  tasksPerSec: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  cpuMsPerTask: CpuPerTask;
}

function sendMessage(url: string, key: string): () => Promise<void> {
  const endpoint = `${url}/a2a/jsonrpc`;
  const headers = {
    'content-type': 'application/json',
    'a2a-version': '1.0',
    authorization: `Bearer ${key}`,
  };
  return async () => {
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
    const reply = (await res.json()) as { result?: { task?: { status?: { state?: string } } } };
    const state = reply.result?.task?.status?.state;
    if (state !== 'TASK_STATE_COMPLETED')
      throw new Error(`unexpected reply: ${JSON.stringify(reply).slice(0, 300)}`);
  };
}

async function startSide(
  name: Side['name'],
  root: string,
  o: Options,
  env: { nats: string; keysFile: string; routingConfig: string },
): Promise<Side> {
  const brain = uniqueBrain(`mesh${name.slice(0, 1)}`);
  // One folder per process: node writes a profile per thread (the tsx loader has its own), named
  // by pid and thread, so the main thread's is the largest file in it.
  const prof = (who: string) =>
    o.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${resolve(o.cpuProf, `${name}-${who}`)}`] : [];
  const common = {
    FORGE_BRAIN: brain,
    FORGE_PORT: '0',
    NATS_URL: env.nats,
    DATABASE_URL: o.databaseUrl,
    FORGE_API_KEYS_FILE: env.keysFile,
    FORGE_CONCURRENCY: String(o.workers),
    FORGE_LOG_LEVEL: 'warn',
  };
  const router = await startChild(
    join(root, 'bench/mesh/router-process.ts'),
    { ...common, FORGE_ROUTING_CONFIG: env.routingConfig },
    {
      extraExecArgv: [
        '--import',
        join(root, 'bench/router-overhead/router-instrumentation.ts'),
        ...prof('router'),
      ],
    },
  );
  try {
    const agent = await startChild(join(root, 'bench/mesh/agent-process.ts'), common, {
      extraExecArgv: ['--import', join(root, 'bench/mesh/agent-instrumentation.ts'), ...prof('agent')],
    });
    return {
      name,
      brain,
      router,
      agent,
      routerPid: Number(router.info.pid),
      agentPid: Number(agent.info.pid),
      url: agent.info.url ?? '',
    };
  } catch (error) {
    await router.stop();
    throw error;
  }
}

async function main(o: Options): Promise<void> {
  const loadStart = loadavg()[0] ?? 0;
  const logger = createLogger({ name: 'bench-mesh', level: 'warn', destination: process.stderr });
  const dir = await mkdtemp(join(tmpdir(), 'forge-bench-mesh-'));
  const undo: Array<() => Promise<unknown>> = [() => rm(dir, { recursive: true, force: true })];
  const undoAll = async () => {
    for (const step of undo.reverse().splice(0))
      await step().catch((error: unknown) => say(`cleanup: ${String(error)}`));
  };
  const unregister = onInterrupt(undoAll);
  try {
    const shipped = await loadRoutingConfigFile(DEFAULT_ROUTING_CONFIG_PATH);
    const routingConfig = join(dir, 'routing.json');
    await writeFile(
      routingConfig,
      JSON.stringify({
        ...shipped,
        version: `${shipped.version}+mesh`,
        routes: { ...shipped.routes, [SKILL]: { tier: 'tool' } },
      }),
    );
    const key = `fk_bench_${randomBytes(16).toString('hex')}`;
    const keysFile = join(dir, 'api-keys.json');
    await writeFile(
      keysFile,
      JSON.stringify({
        v: 1,
        keys: [{ principal: 'bench', sha256: hashApiKey(key), createdAt: new Date().toISOString() }],
      }),
    );
    const nats = await startNats();
    undo.push(() => nats.stop());
    say(
      `mesh: nats-server of its own at ${nats.url} (pid ${nats.pid}); starting the router and agent processes`,
    );
    const admin = createPool({
      connectionString: o.databaseUrl,
      max: 16,
      applicationName: 'bench-mesh',
      logger,
    });
    undo.push(() => admin.end());
    const pgPort = Number(new URL(o.databaseUrl).port || 5432);

    const roots: Array<[Side['name'], string]> = [['current', REPO_ROOT]];
    if (o.baseline) {
      const base = resolve(o.baseline);
      for (const file of CHILD_FILES) {
        await mkdir(dirname(join(base, file)), { recursive: true });
        await copyFile(join(REPO_ROOT, file), join(base, file));
      }
      roots.push(['baseline', base]);
    }
    const sides: Side[] = [];
    for (const [name, root] of roots) {
      const side = await startSide(name, root, o, { nats: nats.url, keysFile, routingConfig });
      undo.push(() => dropBrainSchema(o.databaseUrl, side.brain));
      undo.push(() => side.router.stop(30_000));
      undo.push(() => side.agent.stop(30_000));
      sides.push(side);
      say(
        `  ${name}: brain ${side.brain}, agent ${side.url} (pid ${side.agentPid}), router pid ${side.routerPid}`,
      );
    }

    say('floors: raw JetStream publish→consume→ack, a Postgres commit, an HTTP round trip');
    const floorSchema = schemaForBrain(sides[0]!.brain);
    const floors: Record<'jetstream' | 'postgresCommit' | 'http', Floor> = {
      jetstream: await jetstreamFloor(nats.url, 2000, 64),
      postgresCommit: await postgresFloor(admin, floorSchema, 2000, 16),
      http: await httpFloor(sides[0]!.url, 2000, 16),
    };
    for (const [name, f] of Object.entries(floors))
      say(
        `  ${name}: p50 ${f.p50Ms} ms, p99 ${f.p99Ms} ms (one at a time); ${f.perSec}/s at ${f.concurrency} in flight`,
      );

    const levels: Level[] = [];
    const measureLevel = async (
      side: Side,
      mode: Level['mode'],
      level: number,
      run: () => Promise<{
        latenciesMs: number[];
        errors: number;
        firstError?: string | undefined;
        elapsedMs: number;
        tasks: number;
      }>,
    ) => {
      const clientPids = [side.agentPid, side.routerPid];
      const before = await backendPids(admin, clientPids, pgPort);
      const windows = {
        agent: await CpuWindow.open([side.agentPid]),
        router: await CpuWindow.open([side.routerPid]),
        nats: await CpuWindow.open([nats.pid]),
        postgres: await CpuWindow.open(before),
        postgresShared: await CpuWindow.open(await auxiliaryPids(admin)),
      };
      const client0 = process.cpuUsage();
      const r = await run();
      const clientCpu = process.cpuUsage(client0);
      const after = await backendPids(admin, clientPids, pgPort);
      const n = Math.max(1, r.latenciesMs.length);
      const per = (ms: number) => Number((ms / n).toFixed(3));
      const cpu = {
        agent: per(await windows.agent.close([side.agentPid])),
        router: per(await windows.router.close([side.routerPid])),
        nats: per(await windows.nats.close([nats.pid])),
        postgres: per(await windows.postgres.close(after)),
        postgresShared: per(await windows.postgresShared.close(await auxiliaryPids(admin))),
        client: per((clientCpu.user + clientCpu.system) / 1000),
        total: 0,
      };
      cpu.total = Number(
        (cpu.agent + cpu.router + cpu.nats + cpu.postgres + cpu.postgresShared + cpu.client).toFixed(3),
      );
      const sorted = [...r.latenciesMs].sort((a, b) => a - b);
      const q = (p: number) => Number(percentile(sorted, p).toFixed(2));
      const result: Level = {
        side: side.name,
        mode,
        level,
        tasks: r.tasks,
        errors: r.errors,
        ...(r.firstError ? { firstError: r.firstError } : {}),
        tasksPerSec: Math.round(r.latenciesMs.length / (r.elapsedMs / 1000)),
        p50Ms: q(50),
        p90Ms: q(90),
        p99Ms: q(99),
        maxMs: Number((sorted.at(-1) ?? Number.NaN).toFixed(2)),
        cpuMsPerTask: cpu,
      };
      levels.push(result);
      say(
        `  ${side.name.padEnd(8)} ${mode} ${String(level).padStart(5)}: ${String(result.tasksPerSec).padStart(5)} tasks/s, ` +
          `p50 ${result.p50Ms} p99 ${result.p99Ms} ms, ${r.errors} errors | CPU ms/task agent ${cpu.agent} router ${cpu.router} ` +
          `nats ${cpu.nats} pg ${cpu.postgres} (+shared ${cpu.postgresShared}) client ${cpu.client}` +
          (r.firstError ? ` | first error: ${r.firstError}` : ''),
      );
    };

    say('closed loop (callers each sending one blocking SendMessage after another):');
    let turn = 0;
    for (const concurrency of o.concurrency) {
      const order = turn++ % 2 === 0 ? sides : [...sides].reverse();
      for (const side of order) {
        const call = sendMessage(side.url, key);
        await closedLoop(concurrency, o.warmup, call);
        await measureLevel(side, 'closed', concurrency, async () => ({
          ...(await closedLoop(concurrency, o.calls, call)),
          tasks: o.calls,
        }));
      }
    }
    if (o.rates.length > 0) say('open loop (tasks offered on schedule; latency from the scheduled instant):');
    for (const rate of o.rates) {
      const order = turn++ % 2 === 0 ? sides : [...sides].reverse();
      for (const side of order) {
        const call = sendMessage(side.url, key);
        await closedLoop(4, o.warmup, call);
        await measureLevel(side, 'open', rate, async () => {
          const r = await openLoop({ rate, durationMs: o.duration * 1000, call, graceMs: 10_000 });
          return { ...r, tasks: r.scheduled };
        });
      }
    }

    printTable(levels, floors, sides.length > 1);
    const json = {
      bench: 'mesh',
      skill: SKILL,
      workers: o.workers,
      floors,
      levels,
      ...(sides.length > 1 ? { ratio: ratios(levels) } : {}),
      machine: { cores: availableParallelism(), loadStart, loadEnd: loadavg()[0] ?? 0 },
    };
    for (const side of sides) {
      await side.agent.stop(30_000);
      await side.router.stop(30_000);
    }
    if (o.cpuProf) say(`CPU profiles in ${resolve(o.cpuProf)}`);
    process.stdout.write(`${JSON.stringify(json)}\n`);
  } finally {
    await undoAll();
    unregister();
  }
}

/** current / baseline per level: tasks/s (above 1: faster), p50 and agent+router CPU (below 1: cheaper).
 *  A level given twice (`--concurrency 16,16`) pairs its n-th current with its n-th baseline. */
function ratios(levels: Level[]) {
  const out: Record<string, { throughput: number; p50: number; p99: number; forgeCpu: number }> = {};
  const seen = new Map<string, number>();
  for (const cur of levels.filter((l) => l.side === 'current')) {
    const key = `${cur.mode}-${cur.level}`;
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    const base = levels.filter((l) => l.side === 'baseline' && l.mode === cur.mode && l.level === cur.level)[
      n
    ];
    if (!base) continue;
    const r = (a: number, b: number) => Number((a / b).toFixed(2));
    out[n === 0 ? key : `${key}#${n + 1}`] = {
      throughput: r(cur.tasksPerSec, base.tasksPerSec),
      p50: r(cur.p50Ms, base.p50Ms),
      p99: r(cur.p99Ms, base.p99Ms),
      forgeCpu: r(
        cur.cpuMsPerTask.agent + cur.cpuMsPerTask.router,
        base.cpuMsPerTask.agent + base.cpuMsPerTask.router,
      ),
    };
  }
  return out;
}

function printTable(levels: Level[], floors: Record<string, Floor>, sideBySide: boolean): void {
  const rows = [
    [
      'side',
      'mode',
      'level',
      'tasks/s',
      'p50',
      'p99',
      'agent',
      'router',
      'nats',
      'pg',
      'pg shared',
      'client',
      'total',
    ],
    ...levels.map((l) => [
      l.side,
      l.mode,
      String(l.level),
      String(l.tasksPerSec),
      l.p50Ms.toFixed(2),
      l.p99Ms.toFixed(2),
      ...[
        l.cpuMsPerTask.agent,
        l.cpuMsPerTask.router,
        l.cpuMsPerTask.nats,
        l.cpuMsPerTask.postgres,
        l.cpuMsPerTask.postgresShared,
        l.cpuMsPerTask.client,
        l.cpuMsPerTask.total,
      ].map((v) => v.toFixed(2)),
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) => r.map((c, i) => c.padStart(widths[i]!)).join('  '));
  process.stdout.write(
    `\nbench mesh: latency ms (client side), CPU ms per task (/proc/<pid>/stat)\n${lines.join('\n')}\n`,
  );
  process.stdout.write(
    `floors: ${Object.entries(floors)
      .map(([n, f]) => `${n} p50 ${f.p50Ms} ms / ${f.perSec} per s`)
      .join('; ')}\n`,
  );
  if (sideBySide) process.stdout.write(`ratios current/baseline: ${JSON.stringify(ratios(levels))}\n`);
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
    if (isInterrupted()) return;
    process.stderr.write(`mesh failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
