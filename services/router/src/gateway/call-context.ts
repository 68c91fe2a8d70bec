import type { ChatMessage, ModelPurpose, ModelUsage, StablePromptPart, Tier } from '@forge/contracts';
import type { EscalationPolicy } from '@forge/policy';

/**
 * Who a model call is for and within which limits, fixed before the call: from the task's
 * recorded routing decision (gateway calls) or from the endpoint's own decision (API calls).
 */
export interface CallContext {
  /** `task`: a skill's call over NATS; `api`: the OpenAI-compatible endpoint. */
  source: 'task' | 'api';
  /** The ledger key: task (or per-request id), attempt, call number. */
  taskId: string;
  attempt: number;
  callId: number;
  skill: string | null;
  /** Pays for the call in the per-agent budgets (`api` for endpoint calls). */
  agent: string;
  principal: string | null;
  partner: string | null;
  /** The stamped tier: where the call starts. */
  tier: Tier;
  critical: boolean;
  /** Escalation stops here. */
  maxTier: Tier;
  escalation: EscalationPolicy;
  /**
   * The first ledger `seq` this call's rows take (0 by default): a deferred call's batch row
   * holds 0, and a normal call that replaces it numbers its rows after it.
   */
  ledgerSeqFrom?: number;
}

/** What to ask the model, in the gateway's terms (the provider picks nothing of this). */
export interface CallInput {
  purpose: ModelPurpose;
  system?: string | undefined;
  /** Stable parts, laid out first and planned for the prompt cache. */
  stable?: StablePromptPart[] | undefined;
  messages: ChatMessage[];
  maxTokens: number;
  temperature?: number | undefined;
  output?: { name: string; jsonSchema: Record<string, unknown> } | undefined;
}

/** Streaming and cancellation for one call. */
export interface CallHooks {
  /** Text deltas as they come; only for calls without an output schema (those are never streamed). */
  onDelta?: (text: string) => void;
  signal?: AbortSignal;
  /**
   * Epoch ms when the caller stops waiting (its request's deadline). The call, its provider
   * attempts included, ends by the earlier of this and `gateway.timeouts.totalMs` from its start,
   * so a call let in late never runs on after its caller has given up (and asked again).
   */
  deadline?: number;
  /**
   * True when `deadline` is the caller's own, shorter than the gateway's `totalMs` (it waits
   * less), so a call cut at it says so rather than naming the gateway's limit.
   */
  callerDeadline?: boolean;
}

/** What the gateway answers. Usage and cost are totals over every attempt the call made. */
export type CallOutcome =
  | {
      ok: true;
      text: string;
      output?: unknown;
      tier: Tier;
      /** `provider:model` that answered (`offline:<tier>` offline). */
      model: string;
      offline: boolean;
      usage: ModelUsage;
      costMicros: number;
      shadowCostMicros: number;
      finishReason: string;
      notes: string[];
    }
  | {
      ok: false;
      code: string;
      message: string;
      retryable: boolean;
      /** Set when a person must decide (offline mode and a critical skill or a judgment call). */
      inputRequired?: string;
      notes: string[];
    };
