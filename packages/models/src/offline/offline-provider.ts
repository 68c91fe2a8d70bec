import { ForgeError, type ModelPurpose, parseOrThrow } from '@forge/contracts';
import { estimatePromptTokens, estimateTokens } from '../estimate-tokens.js';
import type { FinishReason } from '../finish-reason.js';
import { checkJsonValue } from '../json-output.js';
import { flatMessages, flatSystem } from '../prompt-layout.js';
import {
  type ModelProvider,
  type ProviderCallOptions,
  ProviderRequest,
  type ProviderResult,
  type ProviderStreamEvent,
  zeroUsage,
} from '../provider.js';
import { ProviderError } from '../provider-error.js';
import { fillSources } from './fill-sources.js';
import { parseLengthHint } from './length-hint.js';
import { messageContent } from './message-content.js';
import { parseMessageItems } from './message-items.js';
import { OfflineRefusal } from './offline-refusal.js';
import { rubricTopics } from './rubric-topics.js';
import { SchemaFiller } from './schema-filler.js';
import { clip } from './text-terms.js';

/** Why the offline provider refuses `judge` calls; the gateway shows it to the person asked. */
export const OFFLINE_JUDGE_REASON =
  'this step needs judgment and Forge is running offline (no model keys are configured): a person must decide';

/** "Answer with one of: relevant, irrelevant" → the labels, for classification without a schema. */
function labelsInPrompt(system: string): string[] {
  const match = /\bone of\b[:\s]+([^\n.]+)/i.exec(system);
  if (!match) return [];
  return match[1]!
    .split(/,|\||\bor\b/)
    .map((label) => label.trim().replace(/^["'`]|["'`]$/g, ''))
    .filter((label) => /^[\w -]{1,40}$/.test(label));
}

function canceled(): ForgeError {
  return new ForgeError('CANCELED', 'offline call was canceled', { retryable: false });
}

/**
 * The built-in provider for running with no keys: deterministic (the same request always gets
 * the same answer) and real, never a canned reply. `classify` scores the item (the user
 * messages) against the rubric (the system prompt) by term overlap; `extract` and `summarize`
 * pick the input's key sentences; `draft` fills a template from them, within the prompt's length
 * hint. All of them read the message's material only: tags, prompt fields and directive lines
 * are dropped first. Structured output is filled from the JSON schema with those values and
 * checked against it; an array of objects with an id field gets one entry per item the message
 * carries (JSON objects with ids, tagged blocks with an id attribute, or listed lines), each
 * scored on its own item, with the id copied exactly. `judge` is refused with `OfflineRefusal`. Usage is estimated (chars / 4) so the gateway can
 * price the shadow cost of the model offline stands in for.
 */
export class OfflineProvider implements ModelProvider {
  readonly kind = 'offline' as const;

  async complete(request: ProviderRequest, options: ProviderCallOptions = {}): Promise<ProviderResult> {
    const req = parseOrThrow(ProviderRequest, request, 'provider request');
    if (options.signal?.aborted) throw canceled();
    return this.#answer(req);
  }

  async *stream(
    request: ProviderRequest,
    options: ProviderCallOptions = {},
  ): AsyncIterable<ProviderStreamEvent> {
    const result = await this.complete(request, options);
    // Structured output is not streamed: it comes whole in the final event.
    if (result.output !== undefined) {
      yield { type: 'final', result };
      return;
    }
    let sent = '';
    for (const piece of result.text.match(/\S+\s*/g) ?? []) {
      if (options.signal?.aborted) {
        const usage = { ...result.usage, outputTokens: estimateTokens(sent) };
        yield { type: 'final', result: { ...result, text: sent, usage, finishReason: 'aborted' } };
        return;
      }
      sent += piece;
      yield { type: 'text', text: piece };
    }
    yield { type: 'final', result };
  }

  #answer(req: ProviderRequest): ProviderResult {
    const purpose: ModelPurpose = req.purpose ?? 'summarize';
    if (purpose === 'judge') throw new OfflineRefusal(OFFLINE_JUDGE_REASON);
    // Stable parts are read where a vendor would read them: instructions in the system prompt,
    // material at the head of the first user message.
    const rubric = flatSystem(req) ?? '';
    const raw = flatMessages(req)
      .filter((message) => message.role === 'user')
      .map((message) => message.content)
      .join('\n\n');
    const hint = parseLengthHint(`${rubric}\n${raw}`);
    const mode = purpose === 'draft' ? 'draft' : purpose === 'summarize' ? 'summarize' : 'extract';
    // Scoring, extracting and drafting read the material only: never tags or the prompt's instructions.
    const sources = fillSources({
      rubric,
      topics: rubricTopics(rubric),
      content: messageContent(raw),
      raw,
      hint,
      mode,
      items: req.output ? parseMessageItems(raw) : [],
    });

    let text: string;
    let output: unknown;
    if (req.output) {
      output = new SchemaFiller(req.output.jsonSchema, sources).fill();
      const checked = checkJsonValue(output, req.output.jsonSchema);
      if (!checked.ok) throw this.#badResponse(req.model, `offline output ${checked.reason}`);
      text = JSON.stringify(output);
    } else if (purpose === 'classify') {
      const labels = labelsInPrompt(rubric);
      const found = sources.verdict(labels);
      text = found.label ?? `relevance ${found.relevance}`;
    } else {
      text = sources.text;
    }

    let finishReason: FinishReason = 'stop';
    if (estimateTokens(text) > req.maxTokens) {
      if (req.output) throw this.#badResponse(req.model, 'offline output is longer than maxTokens');
      text = clip(text, req.maxTokens * 4);
      finishReason = 'length';
    }
    return {
      text,
      ...(req.output ? { output } : {}),
      usage: { ...zeroUsage(), inputTokens: estimatePromptTokens(req), outputTokens: estimateTokens(text) },
      rawUsage: null,
      usageEstimated: true,
      finishReason,
      rawFinishReason: null,
      model: req.model,
      provider: this.kind,
    };
  }

  #badResponse(model: string, reason: string): ProviderError {
    return new ProviderError(reason, { kind: 'bad_response', provider: this.kind, model });
  }
}
