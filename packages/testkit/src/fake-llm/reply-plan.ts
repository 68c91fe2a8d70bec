import type { FakeReply, FakeUsage } from './fake-reply.js';
import type { CacheAccount } from './prompt-cache.js';
import type { RequestView } from './request-view.js';

/** A successful reply, vendor-neutral, ready to be rendered in either wire format. */
export interface ReplyPlan {
  id: string;
  model: string;
  /** Message text; empty when the reply is a tool call. */
  text: string;
  /** A tool call carrying the structured output, JSON-encoded. */
  tool: { id: string; name: string; arguments: string } | undefined;
  usage: FakeUsage;
  rawUsage: Record<string, unknown> | undefined;
  /** The vendor finish reason to send, or undefined for the route's default. */
  finishReason: string | undefined;
  /** Text pieces to stream (the tool arguments' pieces for a tool call). */
  chunks: string[];
}

/** The fake's token count: one token per four characters, rounded up (the same rule as Forge's estimate). */
export function countTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

let sequence = 0;

/** Splits text in pieces of about `size` characters, keeping each piece's trailing spaces. */
export function splitPieces(text: string, size = 12): string[] {
  if (text === '') return [];
  const pieces: string[] = [];
  for (let start = 0; start < text.length; start += size) pieces.push(text.slice(start, start + size));
  return pieces;
}

/**
 * The reply to send. Usage comes from the script where it says; the prompt side (input and cache
 * tokens) comes from the prompt cache's `account` unless the script sets any of it, in which case
 * the script's counts stand (unset ones: input counted from the prompt, cache 0).
 */
export function planReply(view: RequestView, reply: FakeReply, account?: CacheAccount): ReplyPlan {
  sequence += 1;
  const id = `fake-${sequence.toString(36)}`;
  const json = reply.jsonFor
    ? reply.jsonFor({ promptText: view.promptText, lastUserText: view.lastUserText })
    : reply.json;
  const structured = json !== undefined;
  const toolName = reply.toolName ?? view.forcedTool ?? view.toolNames[0];
  const asTool = structured && toolName !== undefined;
  let text: string;
  if (reply.text !== undefined) text = reply.text;
  else if (structured) text = asTool ? '' : JSON.stringify(json);
  else if (view.wantsJson) text = JSON.stringify({ echo: view.lastUserText });
  else text = `echo: ${view.lastUserText}`;
  const tool =
    asTool && toolName !== undefined
      ? { id: `call_${id}`, name: toolName, arguments: JSON.stringify(json) }
      : undefined;
  const generated = tool ? tool.arguments : text;
  const u = reply.usage;
  const scriptedPrompt =
    u?.inputTokens !== undefined ||
    u?.cacheReadTokens !== undefined ||
    u?.cacheWriteTokens !== undefined ||
    u?.cacheWrite1hTokens !== undefined;
  const prompt =
    scriptedPrompt || account === undefined
      ? {
          inputTokens: u?.inputTokens ?? countTokens(view.promptText),
          cacheReadTokens: u?.cacheReadTokens ?? 0,
          cacheWriteTokens: u?.cacheWriteTokens ?? 0,
          cacheWrite1hTokens: u?.cacheWrite1hTokens ?? 0,
        }
      : account;
  const usage: FakeUsage = {
    ...prompt,
    outputTokens: u?.outputTokens ?? countTokens(generated),
    reasoningTokens: u?.reasoningTokens ?? 0,
  };
  return {
    id,
    model: reply.responseModel ?? view.model,
    text,
    tool,
    usage,
    rawUsage: reply.rawUsage,
    finishReason: reply.finishReason,
    chunks: reply.chunks ?? splitPieces(generated),
  };
}
