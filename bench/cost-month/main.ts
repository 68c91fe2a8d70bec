/**
 * Cost-month benchmark: a workload file (the scheduled task types of one operator's day, with
 * token estimates for the same work done by a model) run for a simulated month through the real
 * router and model gateway against the fake LLM server, priced by the routing config, billed from
 * the cost ledger in the real Postgres. The routed month runs once per lever (no vendor
 * discount, prompt caching, batch APIs, both), on a simulated clock the fake's prompt cache and
 * the gateway's cache planner share. Prints the routed bills against all-frontier (naive, and with
 * the same caching and batching) and all-mid, by task type and by tier, the cache hit rate per
 * skill, the ratios, and the all-frontier ratio with the tool tier's estimates halved and
 * doubled; ends with one JSON line.
 */
import { basename } from 'node:path';
import type { SkillManifest } from '@forge/contracts';
import { discountsFor, loadRoutingConfigFile, type RoutingConfig } from '@forge/policy';
import { createLogger, type Logger } from '@forge/telemetry';
import { type FakeLlm, startFakeLlm } from '@forge/testkit';
import { isInterrupted, onInterrupt } from '../lib/interrupt.js';
import { baselineConfig, baselineManifests } from './baseline-config.js';
import { representativeRuns } from './baseline-runs.js';
import { type BrainRouter, startBrainRouter } from './brain-router.js';
import { readDecisions, readLedger } from './ledger-bill.js';
import { cacheStatsBy, typeOfTask, type VariantBill, variantBill } from './lever-summary.js';
import { LEVER_LABEL, type Lever, leverConfig } from './levers.js';
import { simulateMonth } from './month-simulation.js';
import { type Options, parseOptions, USAGE } from './options.js';
import { formatReport, jsonLine } from './report.js';
import type { RoutedMonth } from './routed-month.js';
import { buildTimeline } from './schedule.js';
import { checkSkills, MANIFESTS } from './service-skills.js';
import { SimClock } from './sim-clock.js';
import { SimulatedAgents } from './simulated-agents.js';
import { type LeveredFrontier, summarize, toolTierTypes } from './summarize.js';
import { loadWorkload, stableShare, type Workload } from './workload.js';

interface Common {
  fake: FakeLlm;
  clock: SimClock;
  options: Options;
  logger: Logger;
}

async function withBrain<T>(
  opts: Common & { label: string; config: RoutingConfig; manifests: SkillManifest[] },
  run: (brain: BrainRouter, agents: SimulatedAgents) => Promise<T>,
): Promise<T> {
  // Each brain starts a month of its own: nothing cached, no batch, the clock at day 1.
  opts.fake.reset();
  opts.clock.restart();
  const brain = await startBrainRouter({
    label: opts.label,
    config: opts.config,
    manifests: opts.manifests,
    fake: opts.fake,
    natsUrl: opts.options.nats,
    databaseUrl: opts.options.databaseUrl,
    logger: opts.logger,
    keep: opts.options.keep,
    clock: opts.clock.now,
  });
  const agents = new SimulatedAgents(brain, opts.fake, opts.clock);
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

async function routedMonth(
  common: Common,
  args: {
    label: string;
    config: RoutingConfig;
    manifests: SkillManifest[];
    workload: Workload;
    sampleTool: boolean;
    say: (text: string) => void;
  },
): Promise<{ month: RoutedMonth; seconds: number }> {
  const { options } = common;
  const timeline = buildTimeline(args.workload, options.days, options.slotMinutes);
  return withBrain(
    { ...common, label: args.label, config: args.config, manifests: args.manifests },
    async (brain, agents) => {
      const t0 = performance.now();
      const tasks = await simulateMonth({
        brain,
        agents,
        timeline,
        sampleTool: args.sampleTool,
        onDay: (p) => {
          if (p.day % 10 === 0 || p.day === options.days)
            args.say(
              `    day ${p.day}: ${p.tasks} tasks (${p.routed} routed), $${(p.costMicros / 1e6).toFixed(2)} spent`,
            );
        },
      });
      const seconds = (performance.now() - t0) / 1000;
      await brain.router.ledger.flush();
      const month = {
        tasks,
        ledger: await readLedger(brain.pool, brain.schema),
        decisions: await readDecisions(brain.pool, brain.schema),
      };
      return { month, seconds };
    },
  );
}

async function main(options: Options): Promise<void> {
  const started = performance.now();
  const workload = await loadWorkload(options.workload);
  checkSkills(workload, basename(options.workload));
  const config = await loadRoutingConfigFile(options.config);
  const timeline = buildTimeline(workload, options.days, options.slotMinutes);
  // The router's per-task logs would drown the report; errors still show.
  const logger = createLogger({ name: 'bench-cost-month', level: 'error', destination: process.stderr });
  const clock = new SimClock();
  const fake = await startFakeLlm({ record: false, clock: clock.now });
  const common: Common = { fake, clock, options, logger };
  const say = (text: string) => process.stderr.write(`${text}\n`);
  try {
    const levers: VariantBill[] = [];
    const months = new Map<Lever, RoutedMonth>();
    for (const lever of options.levers) {
      say(
        `routed month, ${LEVER_LABEL[lever]}: ${options.days} days of ${workload.name} through the router (${config.version})`,
      );
      const { month, seconds } = await routedMonth(common, {
        label: `cm${lever}`,
        config: leverConfig(config, lever),
        manifests: MANIFESTS,
        workload,
        sampleTool: !options.routeAll,
        say,
      });
      months.set(lever, month);
      levers.push(variantBill(lever, month, seconds));
    }
    const mainLever: Lever = options.levers.includes('both') ? 'both' : options.levers.at(-1)!;
    const routed = months.get(mainLever)!;
    const toolTypes = toolTierTypes(routed.tasks);

    say('baselines: one run of each task type on an all-frontier and an all-mid router, no discounts');
    const frontier = await withBrain(
      {
        ...common,
        label: 'cmfrontier',
        config: leverConfig(baselineConfig(config, 'frontier'), 'none'),
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
        config: leverConfig(baselineConfig(config, 'mid'), 'none'),
        manifests: baselineManifests('mid'),
      },
      (brain, agents) =>
        representativeRuns({ brain, agents, runs: workload.tasks.map((task) => ({ task, scale: 1 })) }),
    );

    // All-frontier with the same caching and batching: a type neither lever can touch (no stable
    // prefix, not deferrable) costs what it costs naive; the others run through the month.
    const leveredConfig = leverConfig(baselineConfig(config, 'frontier', { discounts: true }), 'both');
    const touched = workload.tasks.filter(
      (t) =>
        (stableShare(t) > 0 && leveredConfig.gateway.caching.enabled) ||
        discountsFor(leveredConfig, t.skill).deferral !== undefined,
    );
    let leveredFrontier: LeveredFrontier = {
      perTypeMicros: new Map(),
      simulated: new Set(),
      cacheBySkill: new Map(),
    };
    if (touched.length > 0) {
      say(
        `all-frontier with caching and batching: ${touched.length} task types a discount can touch, through the month`,
      );
      const { month } = await routedMonth(common, {
        label: 'cmfrontierlev',
        config: leveredConfig,
        manifests: baselineManifests('frontier'),
        workload: { ...workload, tasks: touched },
        sampleTool: false,
        say,
      });
      const typeOf = typeOfTask(month.tasks);
      const perType = new Map<string, number>();
      for (const line of month.ledger) {
        const id = typeOf.get(line.taskId);
        if (id !== undefined) perType.set(id, (perType.get(id) ?? 0) + line.costMicros);
      }
      leveredFrontier = {
        perTypeMicros: perType,
        simulated: new Set(touched.map((t) => t.id)),
        cacheBySkill: cacheStatsBy(month.ledger, (l) => l.skill ?? undefined),
      };
    }

    const summary = summarize({
      workload,
      days: options.days,
      runsPerType: timeline.runsPerType,
      routed,
      frontier,
      mid,
      levers,
      mainLever,
      leveredFrontier,
    });
    const facts = {
      workload: workload.name,
      workloadFile: options.workload,
      configVersion: config.version,
      slotMinutes: options.slotMinutes,
      routeAll: options.routeAll,
      routedSeconds: levers.find((v) => v.lever === mainLever)?.seconds ?? 0,
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
