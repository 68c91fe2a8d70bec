import { ForgeError, type ModelUsage, parseOrThrow, Tier } from '@forge/contracts';
import type pg from 'pg';
import { z } from 'zod';
import { withPgErrors } from './pg-errors.js';
import { qualified } from './schema-name.js';

const Count = z.number().int().nonnegative().max(2_147_483_647);
const Micros = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/**
 * One model call attempt as the ledger keeps it, keyed by (taskId, attempt, callId, seq): `seq`
 * numbers the attempts inside one gateway call (retries, fallbacks, escalations). Token counts
 * are the contracts' normalised `ModelUsage` (input excludes cache tokens, output includes
 * reasoning); `rawUsage` is what the vendor reported. Money is integer micro-USD; an offline row
 * costs 0 and carries the stand-in model's list price as `shadowCostMicros`.
 */
export const CostLedgerEntry = z
  .object({
    taskId: z.uuid(),
    attempt: z.number().int().nonnegative(),
    callId: z.number().int().nonnegative(),
    seq: z.number().int().nonnegative(),
    /** `task`: a skill's call through the model gateway; `api`: the OpenAI-compatible endpoint. */
    source: z.enum(['task', 'api']),
    skill: z.string().nullable(),
    agent: z.string().nullable(),
    brain: z.string().min(1),
    partner: z.string().nullable(),
    principal: z.string().nullable(),
    tier: Tier,
    provider: z.string().min(1),
    model: z.string().min(1),
    offline: z.boolean(),
    standsInFor: z.string().nullable(),
    inputTokens: Count,
    outputTokens: Count,
    cacheReadTokens: Count,
    cacheWrite5mTokens: Count,
    cacheWrite1hTokens: Count,
    reasoningTokens: Count,
    usageEstimated: z.boolean(),
    rawUsage: z.record(z.string(), z.unknown()).nullable(),
    costMicros: Micros,
    shadowCostMicros: Micros,
    latencyMs: Count,
    /** `ok`, or how the attempt failed (a provider error kind, `aborted`, `canceled`). */
    outcome: z.string().min(1).max(40),
    escalated: z.boolean(),
    fellBack: z.boolean(),
    reason: z.string().max(2000).nullable(),
    createdAt: z.iso.datetime(),
  })
  .refine((e) => !e.offline || e.costMicros === 0, {
    message: 'an offline call costs 0',
    path: ['costMicros'],
  });
export type CostLedgerEntry = z.infer<typeof CostLedgerEntry>;

/** Where the router writes what every model call cost. */
export interface CostLedger {
  /**
   * Inserts entries in one statement; an entry whose key is already there is skipped (a replayed
   * batch is not billed twice). Returns how many rows were new. `checked`: the entries were made
   * by typed code of the caller's own (the router's call ledger), so the per-row schema pass is
   * skipped; the table's own constraints still apply.
   */
  append(entries: CostLedgerEntry[], options?: { checked?: boolean }): Promise<number>;
  /** One task's rows (every attempt and call), in key order. */
  forTask(taskId: string): Promise<CostLedgerEntry[]>;
}

/** When a skill's model calls were made: what the prompt cache planner learns a skill's rhythm from. */
export interface CallHistory {
  /**
   * The times of the skill's most recent answered calls (one per call, not per attempt) since
   * `since`, newest first, at most `limit`.
   */
  recentCalls(skill: string, since: Date, limit: number): Promise<Date[]>;
}

/** How spend reports (`forge costs`) read the ledger. */
export interface CostLedgerReader {
  /**
   * Every row written at or after `from`, oldest first (then in key order), as spend reports
   * need it: no raw usage, reasons or latencies. Reads the `created_at` index. BAD_INPUT for an
   * invalid date.
   */
  usageSince(from: Date): Promise<LedgerUsageRow[]>;
}

/** One ledger row as a spend report (`forge costs`) needs it: when, who, what tier, tokens and money. */
export interface LedgerUsageRow {
  /** When the attempt was booked (`createdAt`). */
  readonly at: Date;
  readonly tier: Tier;
  /** The agent that asked, or `api` for the OpenAI-compatible endpoint; null if unknown. */
  readonly agent: string | null;
  /** `provider:model` that answered (an `offline:` model for offline rows). */
  readonly model: string;
  readonly offline: boolean;
  /** The contracts' normalised usage (input excludes cache, output includes reasoning). */
  readonly usage: ModelUsage;
  /** Integer micro-USD, exact (bigint read as text, then a safe integer). */
  readonly costMicros: number;
  readonly shadowCostMicros: number;
}

interface UsageRow {
  created_at: Date;
  tier: Tier;
  agent: string | null;
  model: string;
  offline: boolean;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_5m_tokens: number;
  cache_write_1h_tokens: number;
  reasoning_tokens: number;
  cost_micros: string;
  shadow_cost_micros: string;
}

interface LedgerRow {
  task_id: string;
  attempt: number;
  call_id: number;
  seq: number;
  source: 'task' | 'api';
  skill: string | null;
  agent: string | null;
  brain: string;
  partner: string | null;
  principal: string | null;
  tier: Tier;
  provider: string;
  model: string;
  offline: boolean;
  stands_in_for: string | null;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_5m_tokens: number;
  cache_write_1h_tokens: number;
  reasoning_tokens: number;
  usage_estimated: boolean;
  raw_usage: Record<string, unknown> | null;
  cost_micros: string;
  shadow_cost_micros: string;
  latency_ms: number;
  outcome: string;
  escalated: boolean;
  fell_back: boolean;
  reason: string | null;
  created_at: Date;
}

const COLUMNS = [
  'task_id uuid',
  'attempt integer',
  'call_id integer',
  'seq integer',
  'source text',
  'skill text',
  'agent text',
  'brain text',
  'partner text',
  'principal text',
  'tier text',
  'provider text',
  'model text',
  'offline boolean',
  'stands_in_for text',
  'input_tokens integer',
  'output_tokens integer',
  'cache_read_tokens integer',
  'cache_write_5m_tokens integer',
  'cache_write_1h_tokens integer',
  'reasoning_tokens integer',
  'usage_estimated boolean',
  'raw_usage jsonb',
  'cost_micros bigint',
  'shadow_cost_micros bigint',
  'latency_ms integer',
  'outcome text',
  'escalated boolean',
  'fell_back boolean',
  'reason text',
  'created_at timestamptz',
];
const NAMES = COLUMNS.map((c) => c.split(' ')[0]).join(', ');

function toRow(e: CostLedgerEntry): Record<string, unknown> {
  return {
    task_id: e.taskId,
    attempt: e.attempt,
    call_id: e.callId,
    seq: e.seq,
    source: e.source,
    skill: e.skill,
    agent: e.agent,
    brain: e.brain,
    partner: e.partner,
    principal: e.principal,
    tier: e.tier,
    provider: e.provider,
    model: e.model,
    offline: e.offline,
    stands_in_for: e.standsInFor,
    input_tokens: e.inputTokens,
    output_tokens: e.outputTokens,
    cache_read_tokens: e.cacheReadTokens,
    cache_write_5m_tokens: e.cacheWrite5mTokens,
    cache_write_1h_tokens: e.cacheWrite1hTokens,
    reasoning_tokens: e.reasoningTokens,
    usage_estimated: e.usageEstimated,
    raw_usage: e.rawUsage,
    // Sent as text so a bigint never passes through a float on the way into jsonb.
    cost_micros: String(e.costMicros),
    shadow_cost_micros: String(e.shadowCostMicros),
    latency_ms: e.latencyMs,
    outcome: e.outcome,
    escalated: e.escalated,
    fell_back: e.fellBack,
    reason: e.reason,
    created_at: e.createdAt,
  };
}

function fromRow(r: LedgerRow): CostLedgerEntry {
  return {
    taskId: r.task_id,
    attempt: r.attempt,
    callId: r.call_id,
    seq: r.seq,
    source: r.source,
    skill: r.skill,
    agent: r.agent,
    brain: r.brain,
    partner: r.partner,
    principal: r.principal,
    tier: r.tier,
    provider: r.provider,
    model: r.model,
    offline: r.offline,
    standsInFor: r.stands_in_for,
    inputTokens: r.input_tokens,
    outputTokens: r.output_tokens,
    cacheReadTokens: r.cache_read_tokens,
    cacheWrite5mTokens: r.cache_write_5m_tokens,
    cacheWrite1hTokens: r.cache_write_1h_tokens,
    reasoningTokens: r.reasoning_tokens,
    usageEstimated: r.usage_estimated,
    rawUsage: r.raw_usage,
    costMicros: Number(r.cost_micros),
    shadowCostMicros: Number(r.shadow_cost_micros),
    latencyMs: r.latency_ms,
    outcome: r.outcome,
    escalated: r.escalated,
    fellBack: r.fell_back,
    reason: r.reason,
    createdAt: r.created_at.toISOString(),
  };
}

/** CostLedger, CostLedgerReader and the calls' history over the `cost_ledger` table of one brain's schema. */
export class PgCostLedger implements CostLedger, CostLedgerReader, CallHistory {
  readonly #pool: pg.Pool;
  readonly #insert: string;
  readonly #select: string;
  readonly #usageSince: string;
  readonly #recent: string;

  constructor(pool: pg.Pool, schema: string) {
    this.#pool = pool;
    const table = qualified(schema, 'cost_ledger');
    this.#insert = `INSERT INTO ${table} (${NAMES})
      SELECT ${NAMES} FROM jsonb_to_recordset($1::jsonb) AS x(${COLUMNS.join(', ')})
      ON CONFLICT (task_id, attempt, call_id, seq) DO NOTHING`;
    this.#select = `SELECT ${NAMES} FROM ${table} WHERE task_id = $1 ORDER BY attempt, call_id, seq`;
    this.#usageSince = `SELECT created_at, tier, agent, model, offline, input_tokens, output_tokens,
        cache_read_tokens, cache_write_5m_tokens, cache_write_1h_tokens, reasoning_tokens,
        cost_micros::text AS cost_micros, shadow_cost_micros::text AS shadow_cost_micros
      FROM ${table} WHERE created_at >= $1 ORDER BY created_at, task_id, attempt, call_id, seq`;
    this.#recent = `SELECT max(created_at) AS at FROM ${table}
      WHERE skill = $1 AND created_at > $2 AND outcome = 'ok' AND source = 'task'
      GROUP BY task_id, attempt, call_id ORDER BY at DESC LIMIT $3`;
  }

  async recentCalls(skill: string, since: Date, limit: number): Promise<Date[]> {
    const result = await withPgErrors('cost ledger history', () =>
      this.#pool.query<{ at: Date }>(this.#recent, [skill, since, limit]),
    );
    return result.rows.map((r) => r.at);
  }

  async append(entries: CostLedgerEntry[], options: { checked?: boolean } = {}): Promise<number> {
    const parsed = options.checked
      ? entries
      : parseOrThrow(z.array(CostLedgerEntry), entries, 'cost ledger entries', 'entries');
    if (parsed.length === 0) return 0;
    const result = await withPgErrors('cost ledger append', () =>
      this.#pool.query(this.#insert, [JSON.stringify(parsed.map(toRow))]),
    );
    return result.rowCount ?? 0;
  }

  async forTask(taskId: string): Promise<CostLedgerEntry[]> {
    const id = parseOrThrow(z.uuid(), taskId, 'task id', 'taskId');
    const result = await withPgErrors('cost ledger read', () =>
      this.#pool.query<LedgerRow>(this.#select, [id]),
    );
    return result.rows.map(fromRow);
  }

  async usageSince(from: Date): Promise<LedgerUsageRow[]> {
    if (Number.isNaN(from.getTime())) throw new ForgeError('BAD_INPUT', 'from: must be a valid date');
    const result = await withPgErrors('cost ledger read', () =>
      this.#pool.query<UsageRow>(this.#usageSince, [from]),
    );
    return result.rows.map((r) => ({
      at: r.created_at,
      tier: r.tier,
      agent: r.agent,
      model: r.model,
      offline: r.offline,
      usage: {
        inputTokens: r.input_tokens,
        outputTokens: r.output_tokens,
        cacheReadTokens: r.cache_read_tokens,
        cacheWriteTokens: r.cache_write_5m_tokens,
        cacheWrite1hTokens: r.cache_write_1h_tokens,
        reasoningTokens: r.reasoning_tokens,
      },
      costMicros: Number(r.cost_micros),
      shadowCostMicros: Number(r.shadow_cost_micros),
    }));
  }
}
