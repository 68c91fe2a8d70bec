/**
 * Cost-month benchmark: a workload file (the scheduled task types of one operator's day, with
 * token estimates for the same work done by a model) run for a simulated month through the real
 * router and model gateway against the fake LLM server, priced by the routing config, billed from
 * the cost ledger in the real Postgres. Prints the routed bill against the all-frontier and
 * all-mid bills, by task type and by tier, the routed/all-frontier ratio, and that ratio again
 * with the tool tier's estimates halved and doubled; ends with one JSON line.
 */
import { basename } from 'node:path';
import type { SkillManifest } from '@forge/contracts';
import { loadRoutingConfigFile, type RoutingConfig } from '@forge/policy';
import { createLogger, type Logger } from '@forge/telemetry';
import { type FakeLlm, startFakeLlm } from '@forge/testkit';
import { baselineConfig, baselineManifests } from './baseline-config.js';
import { representativeRuns } from './baseline-runs.js';
import { type BrainRouter, startBrainRouter } from './brain-router.js';
import { isInterrupted, onInterrupt } from './interrupt.js';
import { readDecisions, readLedger } from './ledger-bill.js';
import { simulateMonth } from './month-simulation.js';
import { type Options, parseOptions, USAGE } from './options.js';
import { formatReport, jsonLine } from './report.js';
import { buildTimeline } from './schedule.js';
import { checkSkills, MANIFESTS } from './service-skills.js';
import { SimulatedAgents } from './simulated-agents.js';
import { type RoutedMonth, summarize, toolTierTypes } from './summarize.js';
import { loadWorkload } from './workload.js';

async function withBrain<T>(
  opts: {
    label: string;
    config: RoutingConfig;
    manifests: SkillManifest[];
    fake: FakeLlm;
    options: Options;
    logger: Logger;
  },
  run: (brain: BrainRouter, agents: SimulatedAgents) => Promise<T>,
): Promise<T> {
  const brain = await startBrainRouter({
    label: opts.label,
    config: opts.config,
    manifests: opts.manifests,
    fake: opts.fake,
    natsUrl: opts.options.nats,
    databaseUrl: opts.options.databaseUrl,
    logger: opts.logger,
    keep: opts.options.keep,
  });
  const agents = new SimulatedAgents(brain, opts.fake);
  const unregister = onInterrupt(() => brain.stop());
  try {
    await agents.start();
    return await run(brain, agents);
  } finally {
    await agents.stop().catch(() => undefined);
    await brain.stop();
    unregister();
  }
}

async function main(options: Options): Promise<void> {
  const started = performance.now();
  const workload = await loadWorkload(options.workload);
  checkSkills(workload, basename(options.workload));
  const config = await loadRoutingConfigFile(options.config);
  const timeline = buildTimeline(workload, options.days, options.slotMinutes);
  // The router's per-task logs would drown the report; errors still show.
  const logger = createLogger({ name: 'bench-cost-month', level: 'error', destination: process.stderr });
  const fake = await startFakeLlm({ record: false });
  const common = { fake, options, logger };
  const say = (text: string) => process.stderr.write(`${text}\n`);
  try {
    say(`routed month: ${options.days} days of ${workload.name} through the router (${config.version})`);
    let routedSeconds = 0;
    const routed = await withBrain<RoutedMonth>(
      { ...common, label: 'cmrouted', config, manifests: MANIFESTS },
      async (brain, agents) => {
        const t0 = performance.now();
        const tasks = await simulateMonth({
          brain,
          agents,
          timeline,
          sampleTool: !options.routeAll,
          onDay: (p) =>
            say(
              `  day ${p.day}: ${p.tasks} tasks (${p.routed} routed), $${(p.costMicros / 1e6).toFixed(2)} spent`,
            ),
        });
        routedSeconds = (performance.now() - t0) / 1000;
        await brain.router.ledger.flush();
        return {
          tasks,
          ledger: await readLedger(brain.pool, brain.schema),
          decisions: await readDecisions(brain.pool, brain.schema),
        };
      },
    );
    const toolTypes = toolTierTypes(routed.tasks);
    say('baselines: one run of each task type on an all-frontier and an all-mid router');
    const frontier = await withBrain(
      {
        ...common,
        label: 'cmfrontier',
        config: baselineConfig(config, 'frontier'),
        manifests: baselineManifests('frontier'),
      },
      (brain, agents) =>
        representativeRuns({
          brain,
          agents,
          runs: workload.tasks.flatMap((task) =>
            toolTypes.has(task.id) ? [0.5, 1, 2].map((scale) => ({ task, scale })) : [{ task, scale: 1 }],
          ),
        }),
    );
    const mid = await withBrain(
      {
        ...common,
        label: 'cmmid',
        config: baselineConfig(config, 'mid'),
        manifests: baselineManifests('mid'),
      },
      (brain, agents) =>
        representativeRuns({ brain, agents, runs: workload.tasks.map((task) => ({ task, scale: 1 })) }),
    );
    const summary = summarize({
      workload,
      days: options.days,
      runsPerType: timeline.runsPerType,
      routed,
      frontier,
      mid,
    });
    const facts = {
      workload: workload.name,
      workloadFile: options.workload,
      configVersion: config.version,
      slotMinutes: options.slotMinutes,
      routeAll: options.routeAll,
      routedSeconds,
      elapsedSeconds: (performance.now() - started) / 1000,
    };
    process.stdout.write(`${formatReport(summary, facts)}\n${jsonLine(summary, facts)}\n`);
  } finally {
    await fake.close();
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
    process.stderr.write(`cost-month failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
