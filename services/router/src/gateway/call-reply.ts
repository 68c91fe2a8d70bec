import { MODEL_CALL_VERSION, type ModelCallReply } from '@forge/contracts';
import type { CallOutcome } from './call-context.js';

/** The gateway's outcome as the wire reply (the NATS service answers it; deferred calls store it). */
export function toReply(outcome: CallOutcome): ModelCallReply {
  if (!outcome.ok) {
    // A failure reply has no notes field: what was tried on the way goes into the message.
    const tried = outcome.notes.length > 0 ? ` (tried: ${outcome.notes.join('; ')})` : '';
    return {
      v: MODEL_CALL_VERSION,
      ok: false,
      error: { code: outcome.code, message: `${outcome.message}${tried}`, retryable: outcome.retryable },
      ...(outcome.inputRequired === undefined ? {} : { inputRequired: outcome.inputRequired }),
    };
  }
  return {
    v: MODEL_CALL_VERSION,
    ok: true,
    text: outcome.text,
    ...(outcome.output === undefined ? {} : { output: outcome.output }),
    tier: outcome.tier,
    model: outcome.model,
    offline: outcome.offline,
    usage: outcome.usage,
    costMicros: outcome.costMicros,
    shadowCostMicros: outcome.shadowCostMicros,
    notes: outcome.notes,
  };
}
