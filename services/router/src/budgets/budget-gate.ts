import { randomUUID } from 'node:crypto';
import type { ModelPrice, Tier } from '@forge/contracts';
import { maxCostMicros } from '@forge/models';
import {
  agentScope,
  type BudgetScopeKey,
  budgetView,
  principalScope,
  type RoutingConfig,
  scopeLabel,
  tierScope,
} from '@forge/policy';
import { type BudgetRepository, budgetPeriod } from '@forge/store';
import type { LedgerWriter } from '../ledger/ledger-writer.js';
import { BudgetLeases, type Lease, type LeaseOptions } from './budget-leases.js';
import { usd } from './money-text.js';

/** Who pays for a call: the scopes it counts against are derived from these. */
export interface Payer {
  agent: string;
  tier: Tier;
  principal?: string | undefined;
}

/**
 * A call let through: `reservationId` is null when nothing was reserved ($0, or no capped
 * scope); `lease` is set when it was admitted in memory under a lease (no round trip).
 */
export type Admission =
  | {
      admitted: true;
      /** The call's own id: its hold's, or under a lease the id its consumption is written with. */
      reservationId: string | null;
      amountMicros: number;
      lease?: Lease;
    }
  | { admitted: false; reason: string };

/**
 * The chars/4 prompt estimate undercounts code and non-English text; the reservation pads it so
 * the hold covers the real bill (a settlement above the hold is still charged in full).
 */
export function reservationInputTokens(estimate: number): number {
  return Math.ceil(estimate * 1.25) + 16;
}

const capsCache = new WeakMap<RoutingConfig, ReadonlyMap<BudgetScopeKey, number>>();

function capsOf(config: RoutingConfig): ReadonlyMap<BudgetScopeKey, number> {
  let caps = capsCache.get(config);
  if (!caps) {
    const view = budgetView(config);
    caps = new Map(
      (Object.entries(view.scopes) as [BudgetScopeKey, { limitMicros: number }][]).map(([k, v]) => [
        k,
        v.limitMicros,
      ]),
    );
    capsCache.set(config, caps);
  }
  return caps;
}

/**
 * Every scope a priced call's spend is counted in, capped or not (month, agent, principal, tier):
 * the config's `taskBudgetScopes` keeps the capped ones only, but spend must be tracked from the
 * first call of the month, or a cap added later (a reload) would start from zero and let the
 * month's earlier spend through again. Uncapped scopes are checked against nothing.
 */
function spendScopes(payer: Payer): BudgetScopeKey[] {
  if (payer.tier === 'tool') return [];
  return [
    'month',
    agentScope(payer.agent),
    ...(payer.principal === undefined ? [] : [principalScope(payer.principal)]),
    tierScope(payer.tier),
  ];
}

/** How long a lease takes new calls (its hold then lasts as long again as a call may need). */
const LEASE_USE_MS = 60_000;

/** What admission needs for one payer in one period: its capped scopes and its lease key. */
interface ScopePlan {
  /** Shared by every call of the payer: read, never changed. */
  readonly scopes: { scope: BudgetScopeKey; capMicros: number | null }[];
  readonly leaseKey: string;
}

/** Plans per config (payers are few: agents, principals, tiers), so a call builds no arrays. */
const plansCache = new WeakMap<RoutingConfig, Map<string, ScopePlan>>();
/** Bounds a config's plans (principals are open-ended); a full cache starts over. */
const MAX_PLANS = 1024;

function planOf(config: RoutingConfig, period: string, payer: Payer): ScopePlan {
  let plans = plansCache.get(config);
  if (!plans) {
    plans = new Map();
    plansCache.set(config, plans);
  }
  // `\u0000` cannot occur in names, and `\u0001` marks "no principal" apart from any name.
  const id = `${period}\u0000${payer.tier}\u0000${payer.agent}\u0000${payer.principal ?? '\u0001'}`;
  let plan = plans.get(id);
  if (!plan) {
    const caps = capsOf(config);
    const keys = spendScopes(payer);
    plan = {
      scopes: keys.map((scope) => ({ scope, capMicros: caps.get(scope) ?? null })),
      leaseKey: `${configId(config)}|${period}|${keys.join(',')}`,
    };
    if (plans.size >= MAX_PLANS) plans.clear();
    plans.set(id, plan);
  }
  return plan;
}

/** Config objects are frozen and replaced whole on reload: leases never outlive their config. */
const configIds = new WeakMap<RoutingConfig, number>();
let nextConfigId = 0;

function configId(config: RoutingConfig): number {
  let id = configIds.get(config);
  if (id === undefined) {
    id = nextConfigId++;
    configIds.set(config, id);
  }
  return id;
}

/**
 * Budget admission for model calls: before every priced call, the call's maximum cost (padded
 * prompt estimate + `maxTokens` of output, at list price) is reserved against every scope it
 * counts in (month, agent, principal, tier; the capped ones are checked), atomically across
 * replicas; after it, the
 * reservation is settled to the actual cost through the write-behind ledger writer. A $0 call
 * (offline, a zero-priced local model, `tool`) is never blocked and reserves nothing.
 *
 * The reservation comes from a lease when one has room (in memory, no round trip: see
 * `BudgetLeases`), else from one round trip that places a lease for this call and the next ones,
 * else, when the caps are too small to share or nearly reached, from a hold of the call's own
 * (one round trip, exact to the last call).
 */
export class BudgetGate {
  readonly #budgets: BudgetRepository;
  readonly #writer: LedgerWriter;
  readonly #leases: BudgetLeases | undefined;

  /** `leases: false` reserves call by call (one round trip each), as replicas did before leases. */
  constructor(
    budgets: BudgetRepository,
    writer: LedgerWriter,
    options: { leases?: LeaseOptions | false } = {},
  ) {
    this.#budgets = budgets;
    this.#writer = writer;
    this.#leases =
      options.leases === false
        ? undefined
        : new BudgetLeases(budgets, (s) => writer.settle(s), options.leases ?? {});
  }

  async admit(
    config: RoutingConfig,
    payer: Payer,
    price: ModelPrice | undefined,
    call: {
      promptTokensEstimate: number;
      maxTokens: number;
      /** How long the hold must count at least: the call's time left plus a margin. */
      holdMs?: number;
      /** Prompt tokens the call asks the vendor to cache (reserved at the write price). */
      cacheWrite?: { tokens: number; ttl: '5m' | '1h' };
      /** A batch call: reserved at the batch price. */
      batch?: boolean;
      /**
       * A hold of the call's own, never a lease: its id outlives this process (a deferred call
       * settles it after a restart, from Postgres), where a lease goes back at shutdown.
       */
      durable?: boolean;
    },
  ): Promise<Admission> {
    const amount = price
      ? maxCostMicros(reservationInputTokens(call.promptTokensEstimate), call.maxTokens, price, {
          ...(call.cacheWrite ? { cacheWrite: call.cacheWrite } : {}),
          ...(call.batch ? { batch: true } : {}),
        })
      : 0;
    if (amount === 0) return { admitted: true, reservationId: null, amountMicros: 0 };
    if (payer.tier === 'tool') return { admitted: true, reservationId: null, amountMicros: amount };
    const period = budgetPeriod();
    const { scopes, leaseKey } = planOf(config, period, payer);
    const holdMs = Math.max(config.gateway.reservationTtlMs, Math.ceil(call.holdMs ?? 0));
    const leases = call.durable ? undefined : this.#leases;
    if (leases) {
      const key = leaseKey;
      const size = leases.sizeFor(amount, scopes);
      // A lease takes calls for about a minute, each of which may need its money for `holdMs`.
      const lease = { period, scopes, size: size ?? 0, ttlMs: Math.min(holdMs + LEASE_USE_MS, 86_400_000) };
      for (let round = 0; round < 2; round++) {
        const held = leases.tryLocal(key, amount, holdMs);
        if (held) {
          if (size !== null && leases.wantsRefill(key)) {
            // The next lease is placed in the background; a failure only means the next call asks.
            leases.obtain(key, lease).catch(() => undefined);
          }
          return { admitted: true, reservationId: randomUUID(), amountMicros: amount, lease: held };
        }
        if (size === null || leases.refusedRecently(key)) break;
        if (!(await leases.obtain(key, lease))) break;
      }
    }
    const reservationId = randomUUID();
    const result = await this.#budgets.admit({
      reservationId,
      period,
      scopes,
      amountMicros: amount,
      ttlMs: holdMs,
    });
    if (result.admitted) return { admitted: true, reservationId, amountMicros: amount };
    const used = result.spentMicros + result.reservedMicros;
    return {
      admitted: false,
      reason:
        `budget ${scopeLabel(result.scope as BudgetScopeKey)} has no room: ${usd(used)} of ` +
        `${usd(result.capMicros)} used or reserved, this call may cost up to ${usd(amount)}`,
    };
  }

  /** Settles an admitted call to what it really cost (queued, written within the flush interval). */
  settle(admission: Admission, actualMicros: number): void {
    if (!admission.admitted || admission.reservationId === null) return;
    if (admission.lease) {
      this.#leases?.settle(admission.lease, admission.amountMicros, actualMicros, admission.reservationId);
      return;
    }
    this.#writer.settle({ reservationId: admission.reservationId, actualMicros });
  }

  /** Live leases on this replica. */
  get leases(): number {
    return this.#leases?.size ?? 0;
  }

  /** Releases every lease (queued on the writer): call once no call is in flight, before the last flush. */
  close(): void {
    this.#leases?.close();
  }
}
