import { createHash } from 'node:crypto';
import type { CallInput } from '../gateway/call-context.js';

/**
 * What identifies one question asked of a model: every field of the call's input, in a fixed
 * order. A redelivered task asking the same call again (same task, call number and question)
 * finds its deferred call by it; a changed question is a new call.
 */
export function callFingerprint(input: CallInput): string {
  const canonical = JSON.stringify([
    input.purpose,
    input.system ?? null,
    input.stable ?? null,
    input.messages,
    input.maxTokens,
    input.temperature ?? null,
    input.output ?? null,
  ]);
  return createHash('sha256').update(canonical).digest('base64url');
}
