import type { ModelUsage, Tier } from '@forge/contracts';
import { zeroUsage } from '@forge/models';
import type { ModelCandidate } from '@forge/policy';
import type { CostLedgerEntry } from '@forge/store';
import type { CallContext } from '../gateway/call-context.js';
import type { LedgerWriter } from './ledger-writer.js';

/** One attempt of a call as the ledger keeps it (the call's key and attribution are added here). */
export interface AttemptRecord {
  tier: Tier;
  candidate: ModelCandidate;
  usage: ModelUsage;
  rawUsage: Record<string, unknown> | null;
  usageEstimated: boolean;
  costMicros: number;
  shadowCostMicros: number;
  latencyMs: number;
  /** `ok`, a provider error kind, `aborted`, `canceled`, or `refused` (budget admission said no). */
  outcome: string;
  escalated: boolean;
  fellBack: boolean;
  reason: string | null;
}

/** The ledger's column limits: a longer value would get the row (and its batch) refused. */
const MAX_REASON = 2000;
const MAX_OUTCOME = 40;

/** `text` cut to `max` characters, marked as cut (a vendor's error body can be any length). */
function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * The ledger rows of one gateway call: every attempt (retries, fallbacks, escalations, budget
 * refusals) is a row keyed by the call's (task, attempt, call) and a growing `seq`, queued on the
 * write-behind writer. Keeps the call's totals for the reply.
 */
export class CallLedger {
  readonly #ctx: CallContext;
  readonly #brain: string;
  readonly #writer: LedgerWriter;
  #seq = 0;
  readonly usage: ModelUsage = zeroUsage();
  costMicros = 0;
  shadowCostMicros = 0;

  constructor(ctx: CallContext, brain: string, writer: LedgerWriter) {
    this.#ctx = ctx;
    this.#brain = brain;
    this.#writer = writer;
    this.#seq = ctx.ledgerSeqFrom ?? 0;
  }

  record(attempt: AttemptRecord): void {
    const offline = attempt.candidate.provider === 'offline';
    const u = attempt.usage;
    for (const key of Object.keys(this.usage) as (keyof ModelUsage)[]) this.usage[key] += u[key];
    this.costMicros += attempt.costMicros;
    this.shadowCostMicros += attempt.shadowCostMicros;
    const entry: CostLedgerEntry = {
      taskId: this.#ctx.taskId,
      attempt: this.#ctx.attempt,
      callId: this.#ctx.callId,
      seq: this.#seq++,
      source: this.#ctx.source,
      skill: this.#ctx.skill,
      agent: this.#ctx.agent,
      brain: this.#brain,
      partner: this.#ctx.partner,
      principal: this.#ctx.principal,
      tier: attempt.tier,
      provider: attempt.candidate.provider,
      model: attempt.candidate.model,
      offline,
      standsInFor: offline ? attempt.candidate.shadowOf : null,
      inputTokens: u.inputTokens,
      outputTokens: u.outputTokens,
      cacheReadTokens: u.cacheReadTokens,
      cacheWrite5mTokens: u.cacheWriteTokens,
      cacheWrite1hTokens: u.cacheWrite1hTokens,
      reasoningTokens: u.reasoningTokens,
      usageEstimated: attempt.usageEstimated,
      rawUsage: attempt.rawUsage,
      costMicros: offline ? 0 : attempt.costMicros,
      shadowCostMicros: attempt.shadowCostMicros,
      latencyMs: Math.max(0, Math.round(attempt.latencyMs)),
      outcome: clip(attempt.outcome, MAX_OUTCOME),
      escalated: attempt.escalated,
      fellBack: attempt.fellBack,
      reason: attempt.reason === null ? null : clip(attempt.reason, MAX_REASON),
      createdAt: new Date().toISOString(),
    };
    this.#writer.record(entry);
  }
}
