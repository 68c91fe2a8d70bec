import type Anthropic from '@anthropic-ai/sdk';
import type { ModelUsage } from '@forge/contracts';
import { z } from 'zod';
import { fromAnthropicStopReason } from './finish-reason.js';
import { cacheablePrefix } from './prompt-layout.js';
import type { ProviderRequest, ProviderResult } from './provider.js';
import { ProviderError } from './provider-error.js';
import { type AnthropicMessageShape, isAnthropicMessage } from './reply-shape.js';
import { checkStructured, type ObjectRoot } from './structured-output.js';
import { AnthropicUsage, fromAnthropicUsage } from './usage.js';

/** The parts of a `message` the adapter reads; anything else the vendor adds is ignored. */
export const AnthropicMessage = z.looseObject({
  model: z.string(),
  content: z.array(
    z.looseObject({
      type: z.string(),
      text: z.string().optional(),
      name: z.string().optional(),
      input: z.unknown().optional(),
    }),
  ),
  stop_reason: z.string().nullable(),
  usage: AnthropicUsage,
});

const TOOL_DESCRIPTION = 'Return the result as structured JSON matching the input schema.';

/** Anthropic reads at most four cache breakpoints per request. */
const MAX_BREAKPOINTS = 4;

type TextBlock = Anthropic.TextBlockParam;

function block(text: string): TextBlock {
  return { type: 'text', text };
}

/**
 * The messages-API body of a request. Stable parts come first: stable instructions as the
 * leading system blocks, stable material as the leading blocks of the first user message. With
 * `cache`, each stable part of the cacheable prefix ends with a `cache_control` breakpoint (the
 * last four, the limit), or the tool definition does when the prefix holds no stable part; the
 * vendor then serves the prefix from its cache at the read price and bills its write at 1.25×
 * (5 minutes) or 2× (1 hour) input. Without stable parts the body is the plain one.
 */
export function anthropicBody(
  req: ProviderRequest,
  root: ObjectRoot | undefined,
): Anthropic.MessageCreateParamsNonStreaming {
  const stable = req.stable ?? [];
  const prefix = new Set(req.cache ? cacheablePrefix(req) : []);
  const marked = new Set([...prefix].slice(-MAX_BREAKPOINTS));
  const control: Anthropic.CacheControlEphemeral | undefined = req.cache
    ? { type: 'ephemeral', ttl: req.cache.ttl }
    : undefined;
  const blockOf = (part: (typeof stable)[number]): TextBlock =>
    control && marked.has(part) ? { ...block(part.text), cache_control: control } : block(part.text);

  let messages: Anthropic.MessageParam[];
  const material = stable.filter((p) => p.role === 'user');
  if (material.length === 0) {
    messages = req.messages.map((m) => ({ role: m.role, content: m.content }));
  } else {
    const [first, ...rest] = req.messages;
    const lead = material.map(blockOf);
    messages =
      first?.role === 'user'
        ? [
            { role: 'user', content: [...lead, block(first.content)] },
            ...rest.map((m) => ({ role: m.role, content: m.content })),
          ]
        : [
            { role: 'user', content: lead },
            ...req.messages.map((m) => ({ role: m.role, content: m.content })),
          ];
  }
  const body: Anthropic.MessageCreateParamsNonStreaming = {
    model: req.model,
    max_tokens: req.maxTokens,
    messages,
  };
  const instructions = stable.filter((p) => p.role === 'system');
  if (instructions.length > 0) {
    body.system = [...instructions.map(blockOf), ...(req.system === undefined ? [] : [block(req.system)])];
  } else if (req.system !== undefined) body.system = req.system;
  // `temperature` is not sent: the messages API of SDK 1.14 no longer takes sampling settings.
  if (req.output && root) {
    const tool: Anthropic.Tool = {
      name: req.output.name,
      description: TOOL_DESCRIPTION,
      input_schema: root.schema as Anthropic.Tool.InputSchema,
    };
    // Tools come first in the vendor's prefix: with no stable part to mark, the tool is the prefix.
    if (control && marked.size === 0) tool.cache_control = control;
    body.tools = [tool];
    body.tool_choice = { type: 'tool', name: req.output.name };
  }
  return body;
}

/** A `bad_response` ProviderError for an Anthropic reply. */
export function anthropicBadResponse(
  model: string,
  reason: string,
  usage: ModelUsage | undefined,
  beforeFirstToken: boolean,
): ProviderError {
  return new ProviderError(`anthropic ${model}: ${reason}`, {
    kind: 'bad_response',
    provider: 'anthropic',
    model,
    beforeFirstToken,
    ...(usage ? { usage } : {}),
  });
}

/**
 * Reads a `message` (a messages-API reply or a batch's succeeded result) into a ProviderResult.
 * Throws a `bad_response` ProviderError when it is not a message, or when a structured reply
 * fails its schema (carrying the usage, so the call is still billed).
 */
export function anthropicResult(
  req: ProviderRequest,
  root: ObjectRoot | undefined,
  raw: unknown,
): ProviderResult {
  // The cheap check first; zod only for a reply it refuses (to accept it after all, or name the fields).
  let message: AnthropicMessageShape;
  if (isAnthropicMessage(raw)) message = raw;
  else {
    const parsed = AnthropicMessage.safeParse(raw);
    if (!parsed.success) {
      const where = parsed.error.issues.map((issue) => issue.path.join('.') || '(root)').join(', ');
      throw anthropicBadResponse(req.model, `reply is not an Anthropic message (${where})`, undefined, true);
    }
    message = parsed.data;
  }
  const usage = fromAnthropicUsage(message.usage);
  const text = message.content.map((b) => (b.type === 'text' ? (b.text ?? '') : '')).join('');
  const result: ProviderResult = {
    text,
    usage,
    rawUsage: message.usage,
    usageEstimated: false,
    finishReason: fromAnthropicStopReason(message.stop_reason, req.output !== undefined),
    rawFinishReason: message.stop_reason,
    model: message.model,
    provider: 'anthropic',
  };
  if (!req.output || !root) return result;
  const call = message.content.find((b) => b.type === 'tool_use' && b.name === req.output?.name);
  // Without the tool call, a model may still have answered with the JSON as text.
  const checked = checkStructured(call ? { value: call.input } : { text }, root);
  if (!checked.ok) throw anthropicBadResponse(req.model, checked.reason, usage, true);
  return { ...result, text: call ? JSON.stringify(checked.value) : text, output: checked.value };
}
