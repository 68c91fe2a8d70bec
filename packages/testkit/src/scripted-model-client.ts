import type { ModelCallRequest, ModelCallSuccess, Tier } from '@forge/contracts';

/**
 * What a skill hands agent-kit's `ModelClient.call`: the gateway request less the fields the kit
 * fills in. Structurally the same as agent-kit's `ModelCallInput`, so testkit stays below
 * agent-kit (agent-kit's own tests depend on testkit).
 */
export type ScriptedModelRequest = Omit<ModelCallRequest, 'v' | 'taskId' | 'attempt' | 'callId' | 'skill'>;

/** A model client that answers from a script; pass `models` wherever a `ModelClient` is wanted. */
export interface ScriptedModelClient {
  readonly models: {
    call(request: ScriptedModelRequest, opts?: { signal?: AbortSignal }): Promise<ModelCallSuccess>;
  };
  /** Every request received, in order, as the skill sent it. */
  readonly requests: ScriptedModelRequest[];
}

export interface ScriptedModelClientOptions {
  /** The tier each reply reports; `mid` by default. */
  tier?: Tier;
  /** The `provider:model` each reply reports; `fake:<tier>-1` by default. */
  model?: string;
}

/**
 * An in-memory model client for unit tests of model skills: records each request and answers
 * the n-th call with the n-th entry of `script` (the last entry answers every call after it; a
 * single reply answers every call). Each entry is laid over a successful, online, free reply with
 * empty text, one input and one output token, no notes, and the options' tier and model, so a
 * test states only what matters to it (`output`, `text`, `offline`, ...).
 */
export function scriptedModelClient(
  script: Partial<ModelCallSuccess> | readonly Partial<ModelCallSuccess>[],
  options: ScriptedModelClientOptions = {},
): ScriptedModelClient {
  const replies: readonly Partial<ModelCallSuccess>[] = Array.isArray(script) ? script : [script];
  if (replies.length === 0) throw new Error('scriptedModelClient: the script needs at least one reply');
  const tier = options.tier ?? 'mid';
  const base: ModelCallSuccess = {
    v: 1,
    ok: true,
    text: '',
    tier,
    model: options.model ?? `fake:${tier}-1`,
    offline: false,
    usage: {
      inputTokens: 1,
      outputTokens: 1,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      cacheWrite1hTokens: 0,
      reasoningTokens: 0,
    },
    costMicros: 0,
    shadowCostMicros: 0,
    notes: [],
  };
  const requests: ScriptedModelRequest[] = [];
  const models = {
    async call(request: ScriptedModelRequest): Promise<ModelCallSuccess> {
      const reply = replies[Math.min(requests.length, replies.length - 1)]!;
      requests.push(request);
      return { ...base, ...reply };
    },
  };
  return { models, requests };
}
