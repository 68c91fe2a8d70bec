import { anthropicError, anthropicMessage } from './anthropic-wire.js';
import type { FakeReply } from './fake-reply.js';
import { openAICompletion, openAIError } from './openai-wire.js';
import type { CacheAccount } from './prompt-cache.js';
import { planReply } from './reply-plan.js';
import type { RequestView } from './request-view.js';

/**
 * A non-streamed reply as status and JSON body, in the request's wire format: the scripted body
 * as it is, the vendor's error body for a non-2xx status, else a completion or message. Used for
 * plain requests and for each request of a batch.
 */
export function renderReply(
  view: RequestView,
  reply: FakeReply,
  account: CacheAccount | undefined,
): { status: number; body: unknown } {
  const status = reply.status ?? 200;
  if (reply.body !== undefined) return { status, body: reply.body };
  if (status < 200 || status > 299) {
    const message = `fake ${status}`;
    return {
      status,
      body: view.route === 'openai' ? openAIError(status, message) : anthropicError(status, message),
    };
  }
  const plan = planReply(view, reply, account);
  return { status, body: view.route === 'openai' ? openAICompletion(plan) : anthropicMessage(plan) };
}
