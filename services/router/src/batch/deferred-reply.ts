import { MODEL_CALL_VERSION, ModelCallReply, type ModelUsage, type Tier } from '@forge/contracts';
import type { ProviderResult } from '@forge/models';
import type { DeferredRequest } from '@forge/store';

/** The answer a caller gets for a deferred call: the stored reply once done, else where it waits. */
export function replyOf(row: DeferredRequest, pollAfterMs: number): ModelCallReply {
  if (row.state === 'done') {
    const stored = ModelCallReply.safeParse(row.reply);
    if (stored.success) return stored.data;
    return {
      v: MODEL_CALL_VERSION,
      ok: false,
      error: {
        code: 'INTERNAL',
        message: 'the deferred call’s stored answer is unreadable',
        retryable: false,
      },
    };
  }
  const vendor = row.provider === 'anthropic' ? 'Anthropic Message Batches' : 'the OpenAI Batch API';
  const where = row.state === 'queued' ? `queued for ${vendor}` : `waiting in ${vendor}`;
  return {
    v: MODEL_CALL_VERSION,
    ok: false,
    error: {
      code: 'UNAVAILABLE',
      message: `${where} on ${row.model} at the batch price; a normal call answers by ${row.dueBy.toISOString()} at the latest`,
      retryable: true,
    },
    deferred: {
      state: row.state === 'queued' ? 'queued' : 'submitted',
      model: row.model,
      dueBy: row.dueBy.toISOString(),
      pollAfterMs,
      ...(row.batchId ? { batch: row.batchId } : {}),
    },
  };
}

/** A batch's answer as the wire reply: what the vendor said, at the batch price. */
export function batchSuccess(args: {
  result: ProviderResult;
  tier: Tier;
  model: string;
  usage: ModelUsage;
  costMicros: number;
  notes: string[];
}): ModelCallReply {
  return {
    v: MODEL_CALL_VERSION,
    ok: true,
    text: args.result.text,
    ...(args.result.output === undefined ? {} : { output: args.result.output }),
    tier: args.tier,
    model: args.model,
    offline: false,
    usage: args.usage,
    costMicros: args.costMicros,
    shadowCostMicros: 0,
    notes: args.notes,
  };
}

/** Adds a note to a reply (successes carry notes; a failure's message says it). */
export function withNote(reply: ModelCallReply, note: string): ModelCallReply {
  if (reply.ok) return { ...reply, notes: [note, ...reply.notes] };
  return { ...reply, error: { ...reply.error, message: `${reply.error.message} (${note})` } };
}
