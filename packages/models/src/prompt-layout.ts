import type { ChatMessage, StablePromptPart } from '@forge/contracts';

/** The prompt fields every layout reads (a `ProviderRequest` or the gateway's call input). */
export interface PromptFields {
  system?: string | undefined;
  stable?: readonly StablePromptPart[] | undefined;
  messages: readonly ChatMessage[];
}

/** Joins prompt pieces the way every flat rendering does, so the stable text is always a prefix. */
export const PART_SEPARATOR = '\n\n';

/**
 * The stable parts that form one unbroken prefix of the prompt in the order vendors read it
 * (tool definitions, then system, then messages): every stable `system` part, and the stable
 * `user` parts too when nothing variable comes between them (no variable `system`). Only this
 * prefix can be served from a prompt cache; a stable part after a variable one cannot.
 */
export function cacheablePrefix(req: PromptFields): StablePromptPart[] {
  const parts = req.stable ?? [];
  const system = parts.filter((p) => p.role === 'system');
  if (req.system !== undefined && req.system !== '') return system;
  return [...system, ...parts.filter((p) => p.role === 'user')];
}

/** The system prompt as one text: stable instructions first, then the variable ones. */
export function flatSystem(req: PromptFields): string | undefined {
  const texts = (req.stable ?? []).filter((p) => p.role === 'system').map((p) => p.text);
  if (req.system !== undefined) texts.push(req.system);
  return texts.length === 0 ? undefined : texts.join(PART_SEPARATOR);
}

/**
 * The messages with the stable material (`user` parts) leading the first user message, or as a
 * user message of its own when the conversation does not start with one.
 */
export function flatMessages(req: PromptFields): ChatMessage[] {
  const material = (req.stable ?? []).filter((p) => p.role === 'user').map((p) => p.text);
  if (material.length === 0) return [...req.messages];
  const [first, ...rest] = req.messages;
  if (first?.role === 'user') {
    return [{ role: 'user', content: [...material, first.content].join(PART_SEPARATOR) }, ...rest];
  }
  return [{ role: 'user', content: material.join(PART_SEPARATOR) }, ...req.messages];
}

/** Characters of the stable parts in the cacheable prefix (what a cache write would hold, tools aside). */
export function cacheablePrefixChars(req: PromptFields): number {
  const parts = cacheablePrefix(req);
  return (
    parts.reduce((sum, p) => sum + p.text.length, 0) + PART_SEPARATOR.length * Math.max(0, parts.length - 1)
  );
}
