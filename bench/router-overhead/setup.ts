import { randomBytes, randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type SkillManifest, TASK_ENVELOPE_VERSION } from '@forge/contracts';
import type { RoutingConfig } from '@forge/policy';
import { hashApiKey } from '@forge/service-runtime';
import { PgSkillRegistry, PgTaskRepository } from '@forge/store';
import type pg from 'pg';

/** The skill every gateway call of the bench is made for: routed to `small`, a cheap tier. */
export const BENCH_SKILL = 'bench.echo';
/** The API principal of the `/v1/chat/completions` path; its default route is `small` too. */
export const BENCH_PRINCIPAL = 'bench';

/** USD caps far above what the run spends, so admission always admits yet runs for every call. */
export const GENEROUS_USD = 1_000_000;

/**
 * The bench's routing config, from the shipped one: the same prices, escalation and gateway
 * behaviour, but every tier on OpenAI models (so the gateway speaks the same wire to the fake as
 * the direct path), the bench's skill and principal routed to `small`, no rules, and a month cap
 * and a principal cap that are generous but real: each call still makes its atomic reservation.
 */
export function overheadRoutingConfig(shipped: RoutingConfig): unknown {
  return {
    ...shipped,
    version: `${shipped.version}+router-overhead`,
    tiers: { small: ['openai:gpt-6-luna'], mid: ['openai:gpt-6-sol'], frontier: ['openai:gpt-6-astra'] },
    routes: { [BENCH_SKILL]: { tier: 'small' } },
    rules: [],
    budgets: {
      month: { usd: GENEROUS_USD, onExhausted: 'reject' },
      perAgent: {},
      perTier: {},
      perPrincipal: {},
    },
    principals: {
      [BENCH_PRINCIPAL]: { defaultRoute: 'small', budget: { usd: GENEROUS_USD, onExhausted: 'reject' } },
    },
  };
}

/** Writes the API keys file the router reads and returns the bench principal's key. */
export async function writeApiKeys(dir: string): Promise<{ path: string; key: string }> {
  const key = `fk_bench_${randomBytes(16).toString('hex')}`;
  const path = join(dir, 'api-keys.json');
  const file = {
    v: 1,
    keys: [{ principal: BENCH_PRINCIPAL, sha256: hashApiKey(key), createdAt: new Date().toISOString() }],
  };
  await writeFile(path, JSON.stringify(file));
  return { path, key };
}

/**
 * Registers the bench skill and creates `count` tasks of it, as an agent's tasks would exist
 * before their skills call the gateway. Each call names one of them; the first call of a task
 * routes it (the gateway's path for a task that reached its agent without the router).
 */
export async function createBenchTasks(
  pool: pg.Pool,
  schema: string,
  brain: string,
  count: number,
): Promise<string[]> {
  const manifest: SkillManifest = {
    skill: BENCH_SKILL,
    agent: 'bench',
    description: 'Echo: the router-overhead benchmark calls the gateway in its name.',
    tierHint: 'small',
    critical: false,
    inputSchema: { type: 'object' },
    outputSchema: { type: 'object' },
  };
  await new PgSkillRegistry(pool, schema).register([manifest]);
  const tasks = new PgTaskRepository(pool, schema);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = randomUUID();
    await tasks.create({
      v: TASK_ENVELOPE_VERSION,
      id,
      skill: BENCH_SKILL,
      input: { text: 'overhead' },
      origin: { kind: 'schedule', brain, by: 'bench' },
      idempotencyKey: `bench:${id}`,
      contextId: 'bench',
      createdAt: new Date().toISOString(),
    });
    ids.push(id);
  }
  return ids;
}
