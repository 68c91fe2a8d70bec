/**
 * Bus benchmark: bare JetStream (publish → pull consumer → ack) against the same path through
 * @forge/bus (validated publish with trace headers → bounded-concurrency consumer with validation
 * and a consumer span → ack), in one process, against the real NATS. The paths alternate round by
 * round so machine noise hits both. Prints tasks/s and p50/p99 latency (publish → handler) per
 * path, their ratios, and ends with one JSON line.
 */
import { randomBytes } from 'node:crypto';
import { Bus } from '@forge/bus';
import { createLogger } from '@forge/telemetry';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { type Load, type RoundResult, runRound } from './driver.js';
import { startTracing } from './instrumentation.js';
import { type Options, parseOptions, USAGE } from './options.js';
import { type BenchPath, ForgePath, RawPath } from './sides.js';
import { type PathStats, round, summarize } from './stats.js';

async function main(options: Options): Promise<void> {
  const telemetry = startTracing();
  const brain = `bench${randomBytes(5).toString('hex')}`;
  const logger = createLogger({ name: 'bench-bus', level: 'warn', destination: process.stderr });
  const bus = await Bus.connect({ servers: options.servers, name: 'bench-forge', brain, logger });
  // The same connection options as Bus.connect's that matter here (noAsyncTraces), so the ratio is
  // the cost of what the bus adds, not of a client setting.
  const nc = await connect({ servers: options.servers, name: 'bench-raw', noAsyncTraces: true });
  const { tasks, deadLetter, events } = bus.subjects.streams;
  const paths: BenchPath[] = [];
  try {
    await bus.ensureStreams();
    const raw = new RawPath(nc, tasks.name, bus.subjects.taskRun('raw'), options.concurrency);
    const forge = new ForgePath(bus, tasks.name, bus.subjects.taskRun('forge'), options.concurrency);
    paths.push(raw, forge);
    await raw.start();
    await forge.start();

    console.log(
      `bus bench: concurrency ${options.concurrency}, ${options.rounds} rounds per phase, paths alternating, brain ${brain}`,
    );
    // Warm-up (JIT, connections, consumers), not counted.
    for (const path of [raw, forge]) {
      await runRound(path, brain, 1000, { kind: 'window', window: options.window }, 60_000);
    }
    const throughput = await phase([raw, forge], brain, options.count, options.rounds, {
      kind: 'window',
      window: options.window,
    });
    const latency = await phase([raw, forge], brain, options['latency-count'], options.rounds, {
      kind: 'rate',
      perSecond: options.rate,
    });
    report(options, throughput, latency);
  } finally {
    for (const path of paths) await path.stop().catch(() => undefined);
    const jsm = await jetstreamManager(nc);
    for (const stream of [tasks, deadLetter, events])
      await jsm.streams.delete(stream.name).catch(() => false);
    await bus.drain();
    await nc.drain();
    await telemetry.shutdown();
  }
}

type PerPath = Record<'raw' | 'forge', PathStats>;

/** Runs `count` tasks per path under `load`, in rounds that alternate which path goes first. */
async function phase(
  paths: [BenchPath, BenchPath],
  brain: string,
  count: number,
  rounds: number,
  load: Load,
): Promise<PerPath> {
  const perRound = Math.ceil(count / rounds);
  const timeoutMs = Math.max(60_000, perRound * 5);
  const label = load.kind === 'window' ? `throughput, window ${load.window}` : `latency, ${load.perSecond}/s`;
  const results: Record<'raw' | 'forge', RoundResult[]> = { raw: [], forge: [] };
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? paths : [paths[1], paths[0]];
    for (const path of order) {
      const result = await runRound(path, brain, perRound, load, timeoutMs);
      results[path.name].push(result);
      const rate = Math.round(perRound / (result.elapsedMs / 1000));
      console.log(`  ${label} round ${r + 1} ${path.name.padEnd(5)} ${rate} tasks/s`);
    }
  }
  return { raw: combine(results.raw), forge: combine(results.forge) };
}

function combine(rounds: RoundResult[]): PathStats {
  return summarize(
    rounds.flatMap((r) => r.latenciesMs),
    rounds.reduce((sum, r) => sum + r.elapsedMs, 0),
    rounds.reduce((sum, r) => sum + r.redeliveries, 0),
  );
}

function report(options: Options, throughput: PerPath, latency: PerPath): void {
  const ratio = {
    throughput: round(throughput.forge.tasksPerSec / throughput.raw.tasksPerSec),
    p50: round(latency.forge.p50Ms / latency.raw.p50Ms),
    p99: round(latency.forge.p99Ms / latency.raw.p99Ms),
  };
  const cells = (values: Array<string | number>, widths: number[]) =>
    values
      .map((v, i) => (i === 0 ? String(v).padEnd(widths[i] ?? 8) : String(v).padStart(widths[i] ?? 10)))
      .join('');
  const widths = [7, 10, 10, 10, 14, 14, 14];
  console.log(
    `\n${cells(['path', 'tasks/s', 'p50 ms', 'p99 ms', 'sat. p50 ms', 'sat. p99 ms', 'redeliveries'], widths)}`,
  );
  for (const name of ['raw', 'forge'] as const) {
    const t = throughput[name];
    const l = latency[name];
    console.log(
      cells(
        [
          name,
          Math.round(t.tasksPerSec),
          l.p50Ms.toFixed(2),
          l.p99Ms.toFixed(2),
          t.p50Ms.toFixed(1),
          t.p99Ms.toFixed(1),
          t.redeliveries + l.redeliveries,
        ],
        widths,
      ),
    );
  }
  console.log(
    cells(['ratio', `${ratio.throughput}x`, `${ratio.p50}x`, `${ratio.p99}x`], widths),
    '  (forge / raw)',
  );
  console.log(
    `tasks/s: window ${options.window}; p50/p99: open loop at ${options.rate}/s; sat.: latency in the throughput phase\n`,
  );
  const stats = (name: 'raw' | 'forge') => ({
    tasksPerSec: Math.round(throughput[name].tasksPerSec),
    p50Ms: round(latency[name].p50Ms),
    p99Ms: round(latency[name].p99Ms),
    saturatedP50Ms: round(throughput[name].p50Ms),
    saturatedP99Ms: round(throughput[name].p99Ms),
    redeliveries: throughput[name].redeliveries + latency[name].redeliveries,
  });
  console.log(
    JSON.stringify({
      bench: 'bus',
      tasks: throughput.raw.tasks,
      latencyTasks: latency.raw.tasks,
      concurrency: options.concurrency,
      window: options.window,
      rate: options.rate,
      rounds: options.rounds,
      raw: stats('raw'),
      forge: stats('forge'),
      ratio,
    }),
  );
}

let options: Options | 'help';
try {
  options = parseOptions(process.argv.slice(2), process.env);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(2);
}
if (options === 'help') {
  console.log(USAGE);
} else {
  await main(options).catch((error: unknown) => {
    console.error('bus bench failed:', error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
