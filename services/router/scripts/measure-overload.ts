/**
 * A burst of concurrent priced calls through the real openai SDK on /v1, against a router on the
 * real Postgres and NATS and the fake LLM (a slow model), with and without admission control, side
 * by side in one run. Prints, per variant: answered, refused as OVERLOADED, other 503s, 500s, other
 * errors, the answered calls' p50/p99 latency, the wall time and the load average. Asserts nothing.
 *
 *   (from the repository root) pnpm exec tsx --conditions=forge-source services/router/scripts/measure-overload.ts [calls] [poolMax] [delayMs] [poolWaitMs] [clientTimeoutMs] [maxInFlight] [maxQueued]
 */
import { loadavg } from 'node:os';
import OpenAI, { APIError } from 'openai';
import { startHarness, testRoutingConfig } from '../test/harness.js';

const N = Number(process.argv[2] ?? 1000);
const POOL = process.argv[3] ?? '14';
const DELAY_MS = Number(process.argv[4] ?? 200);
const POOL_WAIT = process.argv[5] ?? '10000';
/** The clients' timeout (the openai SDK sends it as x-stainless-timeout, whole seconds). */
const CLIENT_TIMEOUT_MS = Number(process.argv[6] ?? 60_000);
/** The admission variant's limits; the router's defaults (from the pool) when unset. */
const LIMITS: Record<string, string> = {
  ...(process.argv[7] ? { FORGE_MAX_IN_FLIGHT: process.argv[7] } : {}),
  ...(process.argv[8] ? { FORGE_ADMISSION_QUEUE: process.argv[8] } : {}),
};
const KEY = 'fk_bench_overload_0123456789';

interface Tally {
  answered: number;
  overloaded: number;
  poolBusy: number;
  other503: number;
  s500: number;
  other: Map<string, number>;
  latencies: number[];
  wallMs: number;
}

function pct(samples: number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

async function run(label: string, env: Record<string, string>): Promise<Tally> {
  const h = await startHarness({
    apiKeys: { ops: KEY },
    env: { FORGE_PG_POOL_MAX: POOL, FORGE_PG_POOL_WAIT_MS: POOL_WAIT, ...env },
    config: await testRoutingConfig({
      principals: { ops: { defaultRoute: 'auto', budget: { usd: 100, onExhausted: 'reject' } } },
      budgets: { perAgent: { api: { usd: 100, onExhausted: 'reject' } } },
      gateway: {
        timeouts: { firstTokenMs: 60_000, idleMs: 60_000, totalMs: 60_000 },
        retries: { maxRetries: 0, backoffBaseMs: 10, backoffMaxMs: 50, maxRetryAfterMs: 2000 },
        breaker: { failureThreshold: 1000, windowMs: 60_000, cooldownMs: 60_000 },
        reservationTtlMs: 60_000,
      },
    }),
  });
  try {
    h.fake.script({
      text: 'ok',
      delayMs: DELAY_MS,
      usage: { inputTokens: 100, outputTokens: 10 },
      repeat: true,
    });
    const client = new OpenAI({
      apiKey: KEY,
      baseURL: `${h.router.url}/v1`,
      maxRetries: 0,
      timeout: CLIENT_TIMEOUT_MS,
    });
    const tally: Tally = {
      answered: 0,
      overloaded: 0,
      poolBusy: 0,
      other503: 0,
      s500: 0,
      other: new Map(),
      latencies: [],
      wallMs: 0,
    };
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: N }, async (_, i) => {
        const t = performance.now();
        try {
          await client.chat.completions.create({
            model: 'forge:auto',
            messages: [{ role: 'user', content: `Score headline ${i}: METRC audit due` }],
            max_tokens: 50,
          });
          tally.answered += 1;
          tally.latencies.push(performance.now() - t);
        } catch (error) {
          if (error instanceof APIError && error.status === 503 && error.code === 'overloaded') {
            if (/the database is busy/.test(error.message)) tally.poolBusy += 1;
            else tally.overloaded += 1;
          } else if (error instanceof APIError && error.status === 503) {
            tally.other503 += 1;
            if (tally.other503 === 1) console.log(`  first other 503: ${error.code} ${error.message}`);
          } else if (error instanceof APIError && error.status === 500) tally.s500 += 1;
          else {
            const key =
              error instanceof APIError ? `${error.status} ${error.code}` : String(error).slice(0, 80);
            tally.other.set(key, (tally.other.get(key) ?? 0) + 1);
          }
        }
      }),
    );
    tally.wallMs = performance.now() - t0;
    // Calls the provider ran: the answered ones, plus work started for a client that had gone.
    await new Promise((resolve) => setTimeout(resolve, DELAY_MS * 3));
    const providerCalls = h.fake.requests.length;
    const limits = h.router.admission.limits;
    console.log(
      `${label.padEnd(28)} limit ${String(limits.maxInFlight).padStart(5)} queue ${String(limits.maxQueued).padStart(5)} | answered ${tally.answered} | overloaded ${tally.overloaded} (pool busy ${tally.poolBusy}) | other 503 ${tally.other503} | 500 ${tally.s500} | other ${JSON.stringify([...tally.other])} | p50 ${pct(tally.latencies, 50).toFixed(0)} ms p99 ${pct(tally.latencies, 99).toFixed(0)} ms | provider calls ${providerCalls} | wall ${tally.wallMs.toFixed(0)} ms | load ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    return tally;
  } finally {
    await h.close();
  }
}

console.log(
  `${N} concurrent forge:auto calls, pool ${POOL} (wait ${POOL_WAIT} ms), model delay ${DELAY_MS} ms, client timeout ${CLIENT_TIMEOUT_MS} ms`,
);
await run('no admission (baseline)', { FORGE_MAX_IN_FLIGHT: '10000', FORGE_ADMISSION_QUEUE: '0' });
await run('admission', LIMITS);
await run('no admission (baseline) #2', { FORGE_MAX_IN_FLIGHT: '10000', FORGE_ADMISSION_QUEUE: '0' });
await run('admission #2', LIMITS);
process.exit(0);
