import { TIERS, type Tier } from '@forge/contracts';
import {
  type PartnerActivity,
  type PartnerFailure,
  type PartnerSkillCalls,
  PgPartnerViews,
} from '@forge/store';
import type pg from 'pg';
import { monthStart } from './month-start.js';

const DAY_MS = 86_400_000;

/** How the calls of a window stand now, counted from the task records. */
export interface PartnerCallCounts {
  /** Tasks created in the window. */
  calls: number;
  completed: number;
  failed: number;
  rejected: number;
  canceled: number;
  /** failed + rejected + canceled. */
  errors: number;
  /** Not ended yet (submitted, working, input-required, auth-required). */
  open: number;
  /** errors ÷ (completed + errors): of the calls that ended, the share that did not complete; null when none ended. */
  errorRate: number | null;
  /** The newest call's creation (ISO), null when there was none. */
  lastCallAt: string | null;
}

/**
 * The ledger's sums for a partner's work, integer micro-USD, over the ledger rows written in the
 * window (by the row's own time, as the gateway's monthly partner budget sums them).
 */
export interface PartnerSpend {
  /** Model calls made: ledger rows of attempts sent to a model. */
  modelCalls: number;
  /** Attempts the budget refused before anything was sent (ledger rows at no cost): not calls. */
  refusedCalls: number;
  /** What was charged. */
  spendMicros: number;
  /** Offline rows' list price: reported, never charged. */
  shadowMicros: number;
}

/** Work a partner asked of this brain: calls from the task records, spend from the ledger. */
export interface InboundReport extends PartnerCallCounts, PartnerSpend {
  /** Tiers in tier order, only those with ledger rows. */
  byTier: ({ tier: Tier } & PartnerSpend)[];
  /** Our skills the partner asked for (or whose ledger rows name it), by name. */
  bySkill: ({ skill: string } & PartnerCallCounts & PartnerSpend)[];
}

/** What this brain asked of the partner (`partners.ask` tasks): the partner's skills, no spend of ours. */
export interface OutboundReport extends PartnerCallCounts {
  bySkill: ({ skill: string } & PartnerCallCounts)[];
}

/** What `forge partners --json` prints for one window and the console's partners page shows. */
export interface PartnerReport {
  since: string;
  until: string;
  /** By partner name. */
  partners: { partner: string; inbound: InboundReport; outbound: OutboundReport }[];
  totals: { inbound: PartnerCallCounts & PartnerSpend; outbound: PartnerCallCounts };
  /** Failed, rejected and canceled partner calls of the window, newest first. */
  recentFailures: PartnerFailure[];
}

function emptyCounts(): PartnerCallCounts {
  return {
    calls: 0,
    completed: 0,
    failed: 0,
    rejected: 0,
    canceled: 0,
    errors: 0,
    open: 0,
    errorRate: null,
    lastCallAt: null,
  };
}

const emptySpend = (): PartnerSpend => ({ modelCalls: 0, refusedCalls: 0, spendMicros: 0, shadowMicros: 0 });

function addCalls(into: PartnerCallCounts, row: PartnerSkillCalls): void {
  into.calls += row.calls;
  into.completed += row.completed;
  into.failed += row.failed;
  into.rejected += row.rejected;
  into.canceled += row.canceled;
  into.errors += row.failed + row.rejected + row.canceled;
  into.open += row.open;
  const ended = into.completed + into.errors;
  into.errorRate = ended === 0 ? null : Math.round((into.errors / ended) * 10_000) / 10_000;
  if (into.lastCallAt === null || row.lastCallAt > into.lastCallAt) into.lastCallAt = row.lastCallAt;
}

function addSpend(into: PartnerSpend, row: PartnerSpend): void {
  into.modelCalls += row.modelCalls;
  into.refusedCalls += row.refusedCalls;
  into.spendMicros += row.spendMicros;
  into.shadowMicros += row.shadowMicros;
}

const byName = <T>(map: Map<string, T>) => [...map].sort(([a], [b]) => a.localeCompare(b));

/**
 * Shapes the raw partner activity of one window: per partner, inbound calls by state with the
 * error rate and the ledger's spend (by tier and by skill), outbound calls by the partner's skill,
 * the totals, and the recent failures. Pure: the same rows give the same report.
 */
export function buildPartnerReport(activity: PartnerActivity): PartnerReport {
  const partners = new Map<
    string,
    {
      inbound: PartnerCallCounts & PartnerSpend;
      tiers: Map<Tier, PartnerSpend>;
      skills: Map<string, PartnerCallCounts & PartnerSpend>;
      outbound: PartnerCallCounts;
      outSkills: Map<string, PartnerCallCounts>;
    }
  >();
  const partnerOf = (name: string) => {
    let entry = partners.get(name);
    if (!entry) {
      entry = {
        inbound: { ...emptyCounts(), ...emptySpend() },
        tiers: new Map(),
        skills: new Map(),
        outbound: emptyCounts(),
        outSkills: new Map(),
      };
      partners.set(name, entry);
    }
    return entry;
  };
  const get = <T>(map: Map<string, T>, key: string, make: () => T): T => {
    let value = map.get(key);
    if (value === undefined) {
      value = make();
      map.set(key, value);
    }
    return value;
  };
  const totals = { inbound: { ...emptyCounts(), ...emptySpend() }, outbound: emptyCounts() };
  for (const row of activity.calls) {
    const p = partnerOf(row.partner);
    if (row.direction === 'inbound') {
      addCalls(p.inbound, row);
      addCalls(
        get(p.skills, row.skill, () => ({ ...emptyCounts(), ...emptySpend() })),
        row,
      );
      addCalls(totals.inbound, row);
    } else {
      addCalls(p.outbound, row);
      addCalls(get(p.outSkills, row.skill, emptyCounts), row);
      addCalls(totals.outbound, row);
    }
  }
  for (const row of activity.spend) {
    const p = partnerOf(row.partner);
    const spend = {
      modelCalls: row.calls,
      refusedCalls: row.refused,
      spendMicros: row.spendMicros,
      shadowMicros: row.shadowMicros,
    };
    addSpend(p.inbound, spend);
    let tier = p.tiers.get(row.tier);
    if (!tier) {
      tier = emptySpend();
      p.tiers.set(row.tier, tier);
    }
    addSpend(tier, spend);
    addSpend(
      get(p.skills, row.skill ?? '(no skill)', () => ({ ...emptyCounts(), ...emptySpend() })),
      spend,
    );
    addSpend(totals.inbound, spend);
  }
  return {
    since: activity.since,
    until: activity.until,
    partners: byName(partners).map(([partner, p]) => ({
      partner,
      inbound: {
        ...p.inbound,
        byTier: TIERS.filter((t) => p.tiers.has(t)).map((tier) => ({ tier, ...p.tiers.get(tier)! })),
        bySkill: byName(p.skills).map(([skill, sums]) => ({ skill, ...sums })),
      },
      outbound: {
        ...p.outbound,
        bySkill: byName(p.outSkills).map(([skill, sums]) => ({ skill, ...sums })),
      },
    })),
    totals,
    recentFailures: activity.failures,
  };
}

/** The partners report of a window and of the last 24 hours, as the console and the CLI show them. */
export interface PartnerOverview {
  /** Since `since` (default: the start of `now`'s UTC month, the month partner budgets count). */
  window: PartnerReport;
  last24h: PartnerReport;
}

/**
 * Reads the partner activity from the brain's Postgres (task records and cost ledger) for the
 * window `[since ?? month start (UTC), now)` and for the last 24 hours, and shapes both with
 * {@link buildPartnerReport}: the one function behind the console's partners page and
 * `forge partners`.
 */
export async function readPartnerOverview(
  pool: pg.Pool,
  schema: string,
  options: { now: Date; since?: Date; failureLimit?: number },
): Promise<PartnerOverview> {
  const views = new PgPartnerViews(pool, schema);
  const { now } = options;
  const failureLimit = options.failureLimit ?? 20;
  const [window, last24h] = await Promise.all([
    views.activity({ since: options.since ?? monthStart(now), until: now, failureLimit }),
    views.activity({ since: new Date(now.getTime() - DAY_MS), until: now, failureLimit }),
  ]);
  return { window: buildPartnerReport(window), last24h: buildPartnerReport(last24h) };
}
