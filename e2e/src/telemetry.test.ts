import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { UpReport } from '@forge/cli';
import {
  connectTestNats,
  deleteBrainStreams,
  dropBrainSchema,
  type FakeLlm,
  type OtlpReceiver,
  type ReceivedSpan,
  sampleSum,
  scrapePrometheus,
  startFakeLlm,
  startOtlpReceiver,
  testDatabaseUrl,
  testNatsUrl,
  uniqueBrain,
} from '@forge/testkit';
import { jetstream } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ForgeUp, REPO_ROOT, runForge, startForgeUp } from './forge-process.js';
import { freePortBase } from './free-ports.js';
import { acquireMeshLock, MESH_LOCK_WAIT_MS } from './mesh-lock.js';

const REPLY_INPUT = join(REPO_ROOT, 'e2e', 'fixtures', 'draft-reply-input.json');
/** A draft the engagement skill accepts: on topic, short, confident enough not to escalate. */
const DRAFT = {
  reply: 'Agreed: route by stakes. Code for the plumbing, small models for triage, frontier for judgment.',
  angle: 'cost',
  confidence: 0.9,
};

/** The span tree of a trace, one line per span: `service: name`, indented under its parent. */
function spanTree(spans: readonly ReceivedSpan[]): string[] {
  const children = new Map<string, ReceivedSpan[]>();
  for (const span of spans) {
    const list = children.get(span.parentSpanId) ?? [];
    list.push(span);
    children.set(span.parentSpanId, list);
  }
  const lines: string[] = [];
  const walk = (parent: string, depth: number) => {
    const list = (children.get(parent) ?? []).sort((a, b) =>
      Number(a.startTimeUnixNano - b.startTimeUnixNano),
    );
    for (const span of list) {
      lines.push(`${'  '.repeat(depth)}${String(span.resource['service.name'])}: ${span.name}`);
      walk(span.spanId, depth + 1);
    }
  };
  walk('', 0);
  return lines;
}

describe('telemetry: forge up --otlp exports one trace per task and the metrics', () => {
  const brain = uniqueBrain('otel');
  let stateDir: string;
  let portBase: number;
  let env: NodeJS.ProcessEnv;
  let receiver: OtlpReceiver;
  let llm: FakeLlm;
  let up: ForgeUp;
  let report: UpReport;
  let taskId: string;
  let releaseMesh: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    releaseMesh = await acquireMeshLock('telemetry');
    stateDir = await mkdtemp(join(tmpdir(), 'forge-otel-'));
    portBase = await freePortBase();
    receiver = await startOtlpReceiver();
    llm = await startFakeLlm();
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !/^(ANTHROPIC|OPENAI|OTEL)_/.test(key)),
    );
    env = {
      ...inherited,
      NATS_URL: testNatsUrl(),
      FORGE_LOG_LEVEL: 'warn',
      // A real provider (the fake LLM behind the real Anthropic SDK), so spend moves.
      ANTHROPIC_API_KEY: 'sk-ant-e2e-telemetry',
      ANTHROPIC_BASE_URL: llm.anthropicBaseUrl,
      // Export often, so the test does not wait a minute for the first metrics.
      OTEL_METRIC_EXPORT_INTERVAL: '500',
      OTEL_BSP_SCHEDULE_DELAY: '200',
      // The machine's Postgres (as in a cluster), not a second embedded one beside forge-up.test.
      DATABASE_URL: testDatabaseUrl(),
    };
    up = startForgeUp(
      ['--brain', brain, '--state-dir', stateDir, '--port-base', String(portBase), '--otlp', receiver.url],
      env,
    );
    report = (await up.waitForEvent('ready', 90_000)) as unknown as UpReport;
  }, MESH_LOCK_WAIT_MS + 360_000);

  afterAll(async () => {
    if (up && (await up.exited(0)) === null) {
      up.child.kill('SIGTERM');
      if ((await up.exited(20_000)) === null) up.child.kill('SIGKILL');
    }
    await llm?.close();
    await receiver?.close();
    const nc = await connectTestNats('forge-otel-cleanup');
    try {
      await deleteBrainStreams(nc, brain);
    } finally {
      await nc.close();
    }
    await dropBrainSchema(testDatabaseUrl(), brain);
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
    await releaseMesh?.();
  }, 60_000);

  it('runs engagement.draft-reply on a real provider: one trace from the edge through the router, the worker and the model gateway', async () => {
    llm.script(...Array.from({ length: 4 }, () => ({ json: DRAFT })));
    const result = await runForge(
      [
        'send',
        'engagement',
        'draft-reply',
        '--input',
        `@${REPLY_INPUT}`,
        '--brain',
        brain,
        '--state-dir',
        stateDir,
        '--json',
      ],
      env,
    );
    expect(result.code, result.stderr).toBe(0);
    const task = JSON.parse(result.stdout) as { id: string; status: { state: string } };
    expect(task.status.state).toBe('TASK_STATE_COMPLETED');
    taskId = task.id;

    const edge = await receiver.waitFor(
      () =>
        receiver.spans.find(
          (span) => span.name === 'a2a SendMessage' && span.attributes['forge.task.id'] === taskId,
        ),
      30_000,
      'the edge span of the task',
    );
    const has = (spans: ReceivedSpan[], service: string, name: RegExp) =>
      spans.some((span) => span.resource['service.name'] === service && name.test(span.name));
    const expected: [string, RegExp][] = [
      ['forge-engagement', /^a2a SendMessage$/], // the edge
      ['forge-router', /^route engagement\.draft-reply$/], // the routing decision
      ['forge-engagement', /^forge\.skill\.run$/], // the worker
      ['forge-router', /^chat claude-sonnet/], // the model gateway's provider call
    ];
    // Complete: every expected span is there and every parent link resolves within the trace.
    const spans = await receiver.waitFor(
      () => {
        const trace = receiver.trace(edge.traceId);
        const ids = new Set(trace.map((span) => span.spanId));
        const linked = trace.every((span) => span.parentSpanId === '' || ids.has(span.parentSpanId));
        return linked && expected.every(([service, name]) => has(trace, service, name)) ? trace : undefined;
      },
      30_000,
      'the whole trace',
    );
    console.log(`trace ${edge.traceId} (${spans.length} spans):\n${spanTree(spans).join('\n')}`);

    const roots = spans.filter((span) => span.parentSpanId === '');
    expect(roots).toHaveLength(1);
    expect(roots[0]!.resource['service.name']).toBe('forge-engagement');
    expect(new Set(spans.map((span) => span.spanId)).size).toBe(spans.length);
    // Each hop descends from the one before it: the edge → the router's consumer (which decides,
    // in the route span, then forwards) → the worker → the model gateway's call.
    const byId = new Map(spans.map((span) => [span.spanId, span]));
    const isUnder = (span: ReceivedSpan, ancestor: ReceivedSpan) => {
      for (let at = byId.get(span.parentSpanId); at; at = byId.get(at.parentSpanId))
        if (at.spanId === ancestor.spanId) return true;
      return false;
    };
    const find = (service: string, name: RegExp) =>
      spans.find((span) => span.resource['service.name'] === service && name.test(span.name))!;
    const [edgeSpan, route, worker, model] = expected.map(([service, name]) => find(service, name)) as [
      ReceivedSpan,
      ReceivedSpan,
      ReceivedSpan,
      ReceivedSpan,
    ];
    const routing = find('forge-router', /^process forge\.\w+\.task\.route$/);
    expect(isUnder(routing, edgeSpan)).toBe(true);
    expect(route.parentSpanId).toBe(routing.spanId);
    expect(isUnder(worker, routing)).toBe(true);
    expect(isUnder(model, worker)).toBe(true);

    expect(route.attributes).toMatchObject({
      'forge.tier': 'mid',
      'forge.model': 'anthropic:claude-sonnet-5.5',
      'forge.route.rule': 'base: route in config says mid',
      'forge.budget.action': 'none',
      'forge.route.status': 'routed',
      'forge.route.reused': false,
    });
    expect(String(route.attributes['forge.policy.version'])).toMatch(/\S/);
    expect(model.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'anthropic',
      'forge.tier': 'mid',
      'forge.offline': false,
    });
    expect(Number(model.attributes['gen_ai.usage.output_tokens'])).toBeGreaterThan(0);
    for (const span of spans) {
      expect(span.resource, span.name).toMatchObject({
        'service.namespace': brain,
        'service.version': '0.1.0',
        'deployment.environment': 'local',
      });
    }
    // Quiet by default: no express middleware layers, no pool checkouts.
    expect(spans.filter((span) => /^middleware - |^router - /.test(span.name))).toEqual([]);
    expect(spans.filter((span) => /^pg(-pool)?\.connect$/.test(span.name))).toEqual([]);
  });

  it('follows a scheduled run in one trace: the scheduler, the router and the scout', async () => {
    // A manual run is a tick like any other (same submission path); a real tick may be going.
    let run: { outcome: string; taskId: string | null } | undefined;
    const deadline = Date.now() + 30_000;
    while (!run && Date.now() < deadline) {
      const result = await runForge(
        ['schedule', 'run', 'fetch-news-feeds', '--brain', brain, '--state-dir', stateDir, '--json'],
        env,
      );
      expect(result.code === 0 || /skipped-overlap/.test(result.stdout), result.stderr).toBe(true);
      const reply = JSON.parse(result.stdout) as { run: { outcome: string; taskId: string | null } };
      if (reply.run.outcome === 'submitted') run = reply.run;
      else await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    expect(run?.taskId).toBeTruthy();
    const tick = await receiver.waitFor(
      () =>
        receiver.spans.find(
          (span) =>
            span.name === 'schedule fetch-news-feeds' && span.attributes['forge.task.id'] === run!.taskId,
        ),
      30_000,
      'the schedule span of the run',
    );
    expect(tick.resource['service.name']).toBe('forge-scheduler');
    expect(tick.attributes).toMatchObject({
      'forge.schedule.trigger': 'manual',
      'forge.schedule.outcome': 'submitted',
      'forge.skill': 'scout.fetch-feeds',
    });
    const spans = await receiver.waitFor(
      () => {
        const trace = receiver.trace(tick.traceId);
        const services = new Set(trace.map((span) => `${span.resource['service.name']}: ${span.name}`));
        return services.has('forge-router: route scout.fetch-feeds') &&
          services.has('forge-scout: forge.skill.run')
          ? trace
          : undefined;
      },
      30_000,
      'the routing decision and the scout run in the tick trace',
    );
    console.log(`scheduled run trace ${tick.traceId}:\n${spanTree(spans).join('\n')}`);
    const ids = new Set(spans.map((span) => span.spanId));
    expect(spans.every((span) => span.parentSpanId === '' || ids.has(span.parentSpanId))).toBe(true);
  });

  it('moves the metrics over OTLP and on each service’s Prometheus endpoint', async () => {
    // A poison message for scout: its consumer dead-letters it.
    const nc = await connectTestNats('forge-otel-poison');
    try {
      await jetstream(nc).publish(`forge.${brain}.task.run.scout`, 'not a task envelope');
    } finally {
      await nc.close();
    }
    const engagement = { 'service.name': 'forge-engagement' };
    const router = { 'service.name': 'forge-router' };
    const moved = (name: string, match: Record<string, string | number | boolean>, resource: typeof router) =>
      receiver.waitFor(
        () => {
          const points = receiver.latest(name, match, resource);
          const total = points.reduce((sum, point) => sum + (point.value ?? point.count ?? 0), 0);
          return total > 0 ? { points, total } : undefined;
        },
        30_000,
        `${name} ${JSON.stringify(match)} above zero`,
      );

    const samples: Record<string, number> = {};
    const keep = (label: string, value: number) => {
      samples[label] = value;
    };
    const skill = 'engagement.draft-reply';
    keep(
      'forge.tasks{state=completed,skill=engagement.draft-reply}',
      (await moved('forge.tasks', { 'forge.task.state': 'completed', 'forge.skill': skill }, engagement))
        .total,
    );
    keep(
      'forge.tasks.routed{tier=mid}',
      (await moved('forge.tasks.routed', { 'forge.tier': 'mid', 'forge.agent': 'engagement' }, router)).total,
    );
    const spend = await moved('forge.spend', { 'forge.tier': 'mid', 'forge.agent': 'engagement' }, router);
    keep('forge.spend{tier=mid,agent=engagement} USD', spend.total);
    keep(
      'gen_ai.client.operation.duration count{model=anthropic:claude-sonnet-5.5}',
      (await moved('gen_ai.client.operation.duration', { 'forge.tier': 'mid' }, router)).total,
    );
    const tokens = await moved('gen_ai.client.token.usage', { 'gen_ai.token.type': 'output' }, router);
    keep(
      'gen_ai.client.token.usage sum{type=output}',
      tokens.points.reduce((s, p) => s + (p.sum ?? 0), 0),
    );
    keep(
      'forge.a2a.requests{method=SendMessage,status=ok}',
      (await moved('forge.a2a.requests', { 'a2a.method': 'SendMessage', 'a2a.status': 'ok' }, engagement))
        .total,
    );
    keep(
      'forge.messages.dead_lettered{durable=agent-scout}',
      (
        await moved(
          'forge.messages.dead_lettered',
          { 'messaging.consumer.group.name': 'agent-scout', 'error.type': 'BAD_INPUT' },
          { 'service.name': 'forge-scout' },
        )
      ).total,
    );
    const month = await receiver.waitFor(
      () => receiver.latest('forge.budget.remaining', { 'forge.budget.scope': 'month' }, router)[0],
      30_000,
      'the month budget',
    );
    keep('forge.budget.remaining{scope=month} USD', month.value!);
    expect(month.value!).toBeLessThan(500);
    expect(month.value!).toBeGreaterThan(499);
    const lag = await receiver.waitFor(
      () => receiver.latest('forge.consumer.lag', { 'messaging.consumer.group.name': 'agent-engagement' })[0],
      30_000,
      'the lag of the engagement consumer',
    );
    keep('forge.consumer.lag{durable=agent-engagement}', lag.value!);
    expect(lag.value).toBe(0);
    expect(spend.total).toBeGreaterThan(0);

    // The same numbers on the Prometheus endpoints of the services.
    const engagementPort = report.services.find((service) => service.name === 'engagement')!.port;
    const promEngagement = await scrapePrometheus(`http://127.0.0.1:${engagementPort}/metrics`);
    expect(
      sampleSum(promEngagement, 'forge_tasks_total', { forge_task_state: 'completed', forge_skill: skill }),
    ).toBe(samples['forge.tasks{state=completed,skill=engagement.draft-reply}']);
    const promRouter = await scrapePrometheus(`http://127.0.0.1:${portBase}/metrics`);
    expect(sampleSum(promRouter, 'forge_tasks_routed_total', { forge_tier: 'mid' })).toBeGreaterThan(0);
    expect(sampleSum(promRouter, 'forge_spend_total', { forge_tier: 'mid' })).toBeCloseTo(spend.total, 9);
    console.log(
      `metrics (one sample each):\n${Object.entries(samples)
        .map(([name, value]) => `  ${name} = ${value}`)
        .join('\n')}`,
    );
  });
});
