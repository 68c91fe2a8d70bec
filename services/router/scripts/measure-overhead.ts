/**
 * Times the model gateway's own work per call, in isolation, on this machine: the pieces one at a
 * time (decision lookup, budget admission, accounting, the NATS edge's payload checks, the
 * write-behind flush) and the whole gateway call as `GatewayStats` counts it (everything but the
 * provider), against the real Postgres and the fake LLM server. Not a test: it prints p50/p99 and
 * the load average, and asserts nothing.
 *
 *   (from the repository root) pnpm exec tsx --conditions=forge-source services/router/scripts/measure-overhead.ts [calls]
 */
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { ModelCallReply, ModelCallRequest, parseOrThrow } from '@forge/contracts';
import { costMicros } from '@forge/models';
import { escalationPolicyFor, routingConfigFromObject } from '@forge/policy';
import {
  CostLedgerEntry,
  createPool,
  migrate,
  PgBudgetRepository,
  PgCostLedger,
  PgRoutingDecisionRepository,
  schemaForBrain,
} from '@forge/store';
import { createLogger } from '@forge/telemetry';
import { startFakeLlm, testBrain } from '@forge/testkit';
import { z } from 'zod';
import { BudgetGate } from '../src/budgets/budget-gate.js';
import type { CallContext } from '../src/gateway/call-context.js';
import { CircuitBreakers } from '../src/gateway/circuit-breaker.js';
import { GatewayStats } from '../src/gateway/gateway-stats.js';
import { ModelGateway } from '../src/gateway/model-gateway.js';
import { CallLedger } from '../src/ledger/call-ledger.js';
import { LedgerWriter } from '../src/ledger/ledger-writer.js';
import { RoutingConfigSource } from '../src/routing/routing-config-source.js';
import { TaskRoutingCache } from '../src/routing/task-routing-cache.js';
import { testRoutingConfig } from '../test/harness.js';

const N = Number(process.argv[2] ?? 2000);
const WARMUP = Math.min(300, Math.floor(N / 5));

function pct(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const rows: Array<[string, number[]]> = [];
function report(name: string, samples: number[]): void {
  rows.push([name, samples]);
}

async function time(name: string, fn: (i: number) => unknown): Promise<void> {
  for (let i = 0; i < WARMUP; i++) await fn(i);
  const samples: number[] = [];
  for (let i = 0; i < N; i++) {
    const t = performance.now();
    await fn(WARMUP + i);
    samples.push(performance.now() - t);
  }
  report(name, samples);
}

const logger = createLogger({ name: 'measure-overhead', level: 'silent' });
const brain = await testBrain('ovh');
const fake = await startFakeLlm({ record: false });
const schema = schemaForBrain(brain.name);
await migrate({ databaseUrl: brain.databaseUrl, schema, logger });
const pool = createPool({ connectionString: brain.databaseUrl, max: 8, logger });
try {
  const config = routingConfigFromObject(
    await testRoutingConfig({
      routes: { 'ovh.score': { tier: 'small', maxTier: 'mid' } },
      // Capped scopes, so every call places a real hold (the production path).
      budgets: {
        month: { usd: 1_000_000, onExhausted: 'reject' },
        perAgent: { ovh: { usd: 1_000_000, onExhausted: 'reject' } },
      },
      gateway: {
        timeouts: { firstTokenMs: 10_000, idleMs: 10_000, totalMs: 20_000 },
        retries: { maxRetries: 0, backoffBaseMs: 10, backoffMaxMs: 50, maxRetryAfterMs: 2000 },
        breaker: { failureThreshold: 50, windowMs: 60_000, cooldownMs: 60_000 },
        reservationTtlMs: 60_000,
      },
    }),
    'measure-overhead',
  );
  const source = RoutingConfigSource.fixed(
    config,
    {
      secretsEnv: { ANTHROPIC_API_KEY: 'sk-ant-measure', OPENAI_API_KEY: 'sk-openai-measure' },
      baseUrls: { anthropic: fake.anthropicBaseUrl, openai: fake.openaiBaseUrl },
    },
    logger,
  );
  const budgets = new PgBudgetRepository(pool, schema);
  const writer = new LedgerWriter({ ledger: new PgCostLedger(pool, schema), budgets, flushMs: 25, logger });
  const gate = new BudgetGate(budgets, writer);
  const decisions = new PgRoutingDecisionRepository(pool, schema);
  const cache = new TaskRoutingCache(decisions);
  const taskId = randomUUID();
  await decisions.record({
    taskId,
    skill: 'ovh.score',
    agent: 'ovh',
    origin: { kind: 'a2a', brain: brain.name, by: 'alice' },
    critical: false,
    maxTier: 'mid',
    decision: {
      tier: 'small',
      model: 'anthropic:claude-haiku-5.5',
      reasons: ['base: route in config says small'],
      policyVersion: config.version,
      decidedAt: new Date().toISOString(),
    },
    status: 'routed',
    budget: {},
  });
  const prompt = 'Score this headline for cannabis compliance relevance: METRC audit due today. '.repeat(25);
  const messages = [{ role: 'user' as const, content: prompt }];
  const price = config.prices['anthropic:claude-haiku-5.5']!;
  const usage = {
    inputTokens: 480,
    outputTokens: 60,
    cacheReadTokens: 2000,
    cacheWriteTokens: 100,
    cacheWrite1hTokens: 0,
    reasoningTokens: 0,
  };

  const contextOf = async (callId: number): Promise<CallContext> => {
    const record = (await cache.get(taskId))!;
    return {
      source: 'task',
      taskId,
      attempt: 1,
      callId,
      skill: record.skill,
      agent: record.agent,
      principal: 'alice',
      partner: null,
      tier: record.decision.tier,
      critical: record.critical,
      maxTier: record.maxTier,
      escalation: escalationPolicyFor(config, record.skill),
    };
  };

  await time('decision lookup (cache hit + context)', (i) => contextOf(i));
  await time('floor: SELECT 1 (one Postgres round trip)', () => pool.query('SELECT 1'));
  // Each hold is settled (write-behind) as a call's would be, so live holds stay few as in production.
  const exact = new BudgetGate(budgets, writer, { leases: false });
  const admitWith = (g: BudgetGate) => async () => {
    const admission = await g.admit(config, { agent: 'ovh', tier: 'small', principal: 'alice' }, price, {
      promptTokensEstimate: 500,
      maxTokens: 200,
    });
    g.settle(admission, 100);
  };
  await time('admission, a hold per call (before: one round trip)', admitWith(exact));
  await time('admission, leases (after)', admitWith(gate));
  await writer.flush();
  let callId = 1_000_000;
  await time('accounting (cost, settle + ledger row queued)', () => {
    const ctx = {
      source: 'task' as const,
      taskId,
      attempt: 1,
      callId: callId++,
      skill: 'ovh.score',
      agent: 'ovh',
      principal: 'alice',
      partner: null,
      tier: 'small' as const,
      critical: false,
      maxTier: 'mid' as const,
      escalation: escalationPolicyFor(config, 'ovh.score'),
    };
    const ledger = new CallLedger(ctx, brain.name, writer);
    const cost = costMicros(usage, price);
    gate.settle({ admitted: true, reservationId: randomUUID(), amountMicros: cost }, cost);
    ledger.record({
      tier: 'small',
      candidate: { model: 'anthropic:claude-haiku-5.5', provider: 'anthropic', shadowOf: null },
      usage,
      rawUsage: { input_tokens: 480, output_tokens: 60, cache_read_input_tokens: 2000 },
      usageEstimated: false,
      costMicros: cost,
      shadowCostMicros: 0,
      latencyMs: 412.3,
      outcome: 'ok',
      escalated: false,
      fellBack: false,
      reason: null,
    });
  });
  const flushStart = performance.now();
  const pendingRows = writer.pending;
  await writer.flush();
  const flushMs = performance.now() - flushStart;

  // The NATS edge: the request as it arrives, the reply as it leaves (bus.serve checks both).
  const request = {
    v: 1,
    taskId,
    attempt: 1,
    callId: 1,
    skill: 'ovh.score',
    purpose: 'classify',
    messages,
    maxTokens: 200,
  };
  const requestBytes = new TextEncoder().encode(JSON.stringify(request));
  await time('edge: decode + zod-check ModelCallRequest', () =>
    ModelCallRequest.safeParse(JSON.parse(new TextDecoder().decode(requestBytes))),
  );
  const reply = {
    v: 1,
    ok: true,
    text: 'relevant',
    tier: 'small',
    model: 'anthropic:claude-haiku-5.5',
    offline: false,
    usage,
    costMicros: 100,
    shadowCostMicros: 0,
    notes: [],
  };
  await time('edge: zod-check + encode ModelCallReply', () => JSON.stringify(ModelCallReply.parse(reply)));
  const batch = Array.from({ length: 25 }, (_, i) => ({
    taskId,
    attempt: 1,
    callId: i,
    seq: 0,
    source: 'task',
    skill: 'ovh.score',
    agent: 'ovh',
    brain: brain.name,
    partner: null,
    principal: 'alice',
    tier: 'small',
    provider: 'anthropic',
    model: 'anthropic:claude-haiku-5.5',
    offline: false,
    standsInFor: null,
    inputTokens: 480,
    outputTokens: 60,
    cacheReadTokens: 2000,
    cacheWrite5mTokens: 100,
    cacheWrite1hTokens: 0,
    reasoningTokens: 0,
    usageEstimated: false,
    rawUsage: { input_tokens: 480 },
    costMicros: 100,
    shadowCostMicros: 0,
    latencyMs: 412,
    outcome: 'ok',
    escalated: false,
    fellBack: false,
    reason: null,
    createdAt: new Date().toISOString(),
  }));
  await time('flush CPU: zod-check a batch of 25 ledger rows', () =>
    parseOrThrow(z.array(CostLedgerEntry), batch, 'entries'),
  );

  // The whole call as the gateway counts its own time (the fake LLM's HTTP time is the provider's).
  const input = { purpose: 'classify' as const, messages, maxTokens: 200 };
  const whole = async (name: string, g: BudgetGate, base: number): Promise<void> => {
    const own = new GatewayStats(N);
    const gw = new ModelGateway({
      brain: brain.name,
      source,
      gate: g,
      writer,
      breakers: new CircuitBreakers(config.gateway.breaker),
      stats: own,
      logger,
    });
    fake.script(
      ...Array.from({ length: WARMUP + N }, () => ({
        text: 'relevant',
        usage: { inputTokens: 480, outputTokens: 2 },
      })),
    );
    for (let i = 0; i < WARMUP; i++) await gw.call(await contextOf(base + i), input);
    own.reset();
    for (let i = 0; i < N; i++) {
      // Counted from here: the decision lookup, admission, accounting; not the provider.
      const started = performance.now();
      const outcome = await gw.call(await contextOf(base + WARMUP + i), input, {}, started);
      if (!outcome.ok) throw new Error(`call failed: ${outcome.message}`);
    }
    const samples = Array.from({ length: 1000 }, (_, k) => own.percentile((k + 1) / 10)!);
    report(name, samples);
  };
  await whole('whole gateway call minus provider, a hold per call (before)', exact, 2_000_000);
  // How many admissions still went to Postgres under leases (cold start and lease refills).
  let roundTrips = 0;
  const admitOnce = budgets.admit.bind(budgets);
  budgets.admit = (request) => {
    roundTrips += 1;
    return admitOnce(request);
  };
  await whole('whole gateway call minus provider, leases (after)', gate, 3_000_000);
  budgets.admit = admitOnce;
  gate.close();
  await writer.stop(5_000);

  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  console.log(`gateway overhead, ${N} samples each (after ${WARMUP} warm-up), load average ${load}`);
  for (const [name, samples] of rows) {
    console.log(
      `  ${name.padEnd(60)} p50 ${pct(samples, 50).toFixed(3)} ms  p99 ${pct(samples, 99).toFixed(3)} ms`,
    );
  }
  console.log(`  admission round trips under leases: ${roundTrips} for ${WARMUP + N} calls`);
  console.log(
    `  ${'write-behind flush (async, off the call path)'.padEnd(60)} ${pendingRows} rows+settlements in ${flushMs.toFixed(1)} ms`,
  );
} finally {
  await pool.end();
  await fake.close();
  await brain.cleanup();
}
