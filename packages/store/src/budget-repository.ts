import { createHash } from 'node:crypto';
import { parseOrThrow } from '@forge/contracts';
import type pg from 'pg';
import { z } from 'zod';
import { named } from './named-statement.js';
import { withPgErrors } from './pg-errors.js';
import { qualified } from './schema-name.js';
import { queryNamedOnce } from './stale-statement.js';

/** A budget scope as the router names it: `month`, `agent:<a>`, `tier:<t>`, `principal:<p>`. */
const ScopeKey = z.string().min(1).max(260);
/** A UTC month, `YYYY-MM`: budgets reset when it changes. */
const Period = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a UTC month, YYYY-MM');
const Micros = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

export const AdmitRequest = z.object({
  reservationId: z.uuid(),
  period: Period,
  /** Every scope the call counts against; `capMicros: null` tracks the scope without capping it. */
  scopes: z
    .array(z.object({ scope: ScopeKey, capMicros: Micros.nullable() }))
    .min(1)
    .refine(
      (scopes) => new Set(scopes.map((s) => s.scope)).size === scopes.length,
      'scopes must be distinct',
    ),
  /** The most the call can cost. */
  amountMicros: Micros,
  /** After this, an unsettled hold stops counting (its caller is presumed dead). */
  /** At most two days: a deferred call's hold lasts while its vendor batch may run (a day) and then some. */
  ttlMs: z.number().int().positive().max(172_800_000),
});
export type AdmitRequest = z.input<typeof AdmitRequest>;

/** Admission's answer: admitted (holds placed), or the first scope (in scope order) without room. */
export type AdmitResult =
  | { admitted: true }
  | { admitted: false; scope: string; spentMicros: number; reservedMicros: number; capMicros: number };

export const Settlement = z.object({
  reservationId: z.uuid(),
  /** What the call really cost; 0 releases the reservation. */
  actualMicros: Micros,
  /**
   * A lease's call: move `actualMicros` into spend and shrink the hold by as much (never below
   * zero), keeping it for the lease's other calls. Without it the hold is deleted (settled).
   */
  keep: z.boolean().optional(),
  /** With `keep`: the call consumed, so a replayed batch consumes it once only. */
  consumeId: z.uuid().optional(),
});
export type Settlement = z.infer<typeof Settlement>;

/** One scope's money this period: settled spend and live (unexpired, unsettled) holds. */
export interface ScopeUsage {
  spentMicros: number;
  reservedMicros: number;
}

/**
 * Budget admission across router replicas: reserve a call's maximum cost against every scope it
 * counts against before the call, settle to the actual cost after. All money is integer micro-USD.
 */
export interface BudgetRepository {
  /**
   * Atomically checks every capped scope (spent + live holds + amount ≤ cap) and places one hold
   * counting against all of them, or none. One round trip (a stored function that locks the scopes' rows in
   * scope order, so concurrent admissions from any replica serialize per scope and never deadlock).
   */
  admit(request: AdmitRequest): Promise<AdmitResult>;
  /**
   * Moves each reservation's actual cost into its scopes' spend and deletes its holds, in one
   * round trip. A reservation settled before (or never admitted) adds nothing, so replaying a
   * batch is harmless. An item with `keep` (a call under a lease) moves its cost into spend and
   * shrinks the hold by as much instead of deleting it, once per `consumeId` (a replay adds
   * nothing); items for one hold in a batch add up, and one without `keep` deletes it after the
   * rest are counted. Returns how many holds were touched.
   */
  settle(settlements: Settlement[]): Promise<number>;
  /** Spend and live holds per scope for `period`; scopes never used read as zero. */
  usage(period: string, scopes: string[]): Promise<Map<string, ScopeUsage>>;
}

/** The UTC month (`YYYY-MM`) of `at`: the budget period. */
export function budgetPeriod(at: Date = new Date()): string {
  return at.toISOString().slice(0, 7);
}

/** BudgetRepository over the `budget_usage` / `budget_holds` tables of one brain's schema. */
export class PgBudgetRepository implements BudgetRepository {
  readonly #pool: pg.Pool;
  readonly #admit: string;
  /** Admission is on every model call's path: a named statement is parsed once per connection. */
  readonly #admitName: string;
  readonly #settle: string;
  readonly #usage: string;

  constructor(pool: pg.Pool, schema: string) {
    this.#pool = pool;
    const usage = qualified(schema, 'budget_usage');
    const holds = qualified(schema, 'budget_holds');
    this.#admit = `SELECT admitted, scope, spent_micros::text AS spent, reserved_micros::text AS reserved,
        cap_micros::text AS cap
      FROM ${qualified(schema, 'budget_admit')}($1::uuid, $2::text, $3::text[], $4::bigint[], $5::bigint, $6::integer)`;
    this.#admitName = `forge_admit_${createHash('sha256').update(this.#admit).digest('hex').slice(0, 24)}`;
    this.#settle = `SELECT ${qualified(schema, 'budget_settle')}($1::jsonb) AS settled`;
    this.#usage = `SELECT s.scope,
        coalesce((SELECT u.spent_micros FROM ${usage} AS u WHERE u.scope = s.scope AND u.period = $1), 0)::text AS spent,
        coalesce((SELECT sum(h.amount_micros) FROM ${holds} AS h
          WHERE h.period = $1 AND h.expires_at > clock_timestamp() AND s.scope = ANY (h.scopes)), 0)::text AS reserved
      FROM unnest($2::text[]) AS s(scope)`;
  }

  async admit(request: AdmitRequest): Promise<AdmitResult> {
    const r = parseOrThrow(AdmitRequest, request, 'budget admission');
    const result = await withPgErrors('budget admission', () =>
      queryNamedOnce<{
        admitted: boolean;
        scope: string | null;
        spent: string | null;
        reserved: string | null;
        cap: string | null;
      }>(this.#pool, {
        name: this.#admitName,
        text: this.#admit,
        values: [
          r.reservationId,
          r.period,
          r.scopes.map((s) => s.scope),
          r.scopes.map((s) => (s.capMicros === null ? null : String(s.capMicros))),
          String(r.amountMicros),
          r.ttlMs,
        ],
      }),
    );
    const row = result.rows[0];
    if (!row || row.admitted) return { admitted: true };
    return {
      admitted: false,
      scope: row.scope ?? '',
      spentMicros: Number(row.spent),
      reservedMicros: Number(row.reserved),
      capMicros: Number(row.cap),
    };
  }

  async settle(settlements: Settlement[]): Promise<number> {
    const items = parseOrThrow(z.array(Settlement), settlements, 'budget settlements', 'settlements');
    if (items.length === 0) return 0;
    const payload = items.map((s) => ({
      id: s.reservationId,
      actual: s.actualMicros,
      ...(s.keep ? { keep: true } : {}),
      ...(s.keep && s.consumeId ? { consume: s.consumeId } : {}),
    }));
    const result = await withPgErrors('budget settlement', () =>
      this.#pool.query<{ settled: number }>(this.#settle, [JSON.stringify(payload)]),
    );
    return result.rows[0]?.settled ?? 0;
  }

  async usage(period: string, scopes: string[]): Promise<Map<string, ScopeUsage>> {
    const p = parseOrThrow(Period, period, 'budget period', 'period');
    const keys = parseOrThrow(z.array(ScopeKey), scopes, 'budget scopes', 'scopes');
    const out = new Map<string, ScopeUsage>();
    if (keys.length === 0) return out;
    const result = await withPgErrors('budget usage', () =>
      // Named: the router reads it for task decisions, so it is parsed once per connection; a
      // statement gone stale (a migration changed the tables) heals, as the admission's does.
      queryNamedOnce<{ scope: string; spent: string; reserved: string }>(
        this.#pool,
        named(this.#usage, [p, keys]),
      ),
    );
    for (const row of result.rows) {
      out.set(row.scope, { spentMicros: Number(row.spent), reservedMicros: Number(row.reserved) });
    }
    return out;
  }
}
