import { randomUUID } from 'node:crypto';
import { callerError, errorDetail, ForgeError } from '@forge/contracts';
import { estimatePromptTokens } from '@forge/models';
import { escalationPolicyFor, type ModelTier } from '@forge/policy';
import type { ApiKeyStore } from '@forge/service-runtime';
import { withQueryDeadline } from '@forge/store';
import type { Logger } from '@forge/telemetry';
import type { Request, Response } from 'express';
import type { CallAdmission, CallPermit } from '../budgets/call-admission.js';
import type { CallContext, CallOutcome } from '../gateway/call-context.js';
import type { ModelGateway } from '../gateway/model-gateway.js';
import type { RouteDecider } from '../routing/route-decider.js';
import type { RoutingConfigSource } from '../routing/routing-config-source.js';
import { callDeadline } from './call-deadline.js';
import { type ChatCall, parseChatRequest } from './chat-request.js';
import { type ForgeExtras, openAIFinishReason, openAIUsage } from './chat-response.js';
import { openAIError, outcomeError, sendOpenAIError } from './openai-errors.js';

/** The skill every endpoint call is accounted under; a route in config for it shapes `forge:auto`. */
export const API_SKILL = 'api.chat-completions';
export const API_AGENT = 'api';

export interface ChatCompletionsDeps {
  brain: string;
  source: RoutingConfigSource;
  decider: RouteDecider;
  gateway: ModelGateway;
  keys: () => ApiKeyStore;
  logger: Logger;
  /** The router's in-flight limit and queue, shared with the NATS model gateway. */
  admission: CallAdmission;
}

function bearer(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (typeof header === 'string' && /^Bearer\s+/i.test(header))
    return header.replace(/^Bearer\s+/i, '').trim();
  const apiKey = req.headers['x-api-key'];
  return typeof apiKey === 'string' ? apiKey.trim() : undefined;
}

/** The principal behind the request's API key; UNAUTHENTICATED (401) when missing or unknown. */
function authenticate(req: Request, keys: ApiKeyStore): string {
  const key = bearer(req);
  if (!key) {
    throw new ForgeError('UNAUTHENTICATED', 'missing API key: send it as "Authorization: Bearer <key>"', {
      retryable: false,
    });
  }
  const principal = keys.authenticate(key);
  if (principal === null) throw new ForgeError('UNAUTHENTICATED', 'invalid API key', { retryable: false });
  return principal;
}

/**
 * `POST /v1/chat/completions`, OpenAI's wire format, plain or streamed (SSE, `[DONE]` last, usage
 * chunk with `stream_options.include_usage`). `forge:auto` is routed like a task of skill
 * `api.chat-completions` (the principal's default route, the rules on input size and JSON, the
 * budgets); `forge:<tier>` runs on that tier. Every call is admitted against the principal's
 * budget and written to the ledger under a per-request id. Structured output (`json_schema`,
 * `json_object`) is checked and not streamed: it comes as one chunk at the end.
 */
export function chatCompletionsHandler(deps: ChatCompletionsDeps) {
  return async (req: Request, res: Response): Promise<void> => {
    let principal: string;
    let call: ChatCall;
    let deadline: number;
    let callerDeadline: boolean;
    try {
      principal = authenticate(req, deps.keys());
      call = parseChatRequest(req.body);
      const arrived = Date.now();
      const { totalMs } = deps.source.current.config.gateway.timeouts;
      deadline = callDeadline(req.headers, arrived, totalMs);
      callerDeadline = deadline < arrived + totalMs;
    } catch (error) {
      sendOpenAIError(res, error, deps.logger);
      return;
    }
    const requestId = randomUUID();
    const abort = new AbortController();
    res.on('close', () => {
      if (!res.writableEnded) abort.abort();
    });
    // Admission first: nothing (not the routing decision's budget view) touches Postgres or a
    // provider for a call that cannot get a slot before its deadline.
    let permit: CallPermit;
    try {
      permit = await deps.admission.acquire(deadline, 'http', abort.signal);
    } catch (error) {
      if (!res.destroyed) sendOpenAIError(res, error, deps.logger, { requestId, principal });
      return;
    }
    // The gateway's overhead is counted from here: time queued for a slot is not its own work.
    const started = performance.now();
    try {
      // No statement of this call waits for a pool connection past the call's deadline.
      const ctx = await withQueryDeadline(deadline, () => contextFor(deps, principal, call, requestId));
      const stream = call.stream ? new SseWriter(res, requestId) : undefined;
      const outcome = await withQueryDeadline(deadline, () =>
        deps.gateway.call(
          ctx,
          {
            purpose: call.output ? 'extract' : 'draft',
            system: call.system,
            messages: call.messages,
            maxTokens: call.maxTokens,
            temperature: call.temperature,
            output: call.output,
          },
          {
            signal: abort.signal,
            deadline,
            callerDeadline,
            ...(stream ? { onDelta: (text: string) => stream.delta(text) } : {}),
          },
          started,
        ),
      );
      if (stream) stream.end(outcome, call.includeUsage, deps.logger);
      else reply(res, requestId, outcome, deps.logger);
    } catch (error) {
      if (!res.headersSent) sendOpenAIError(res, error, deps.logger, { requestId, principal });
      else {
        deps.logger.warn(
          { requestId, principal, err: errorDetail(error) },
          'chat completion failed mid-stream',
        );
        res.end();
      }
    } finally {
      permit.release();
    }
  };
}

async function contextFor(
  deps: ChatCompletionsDeps,
  principal: string,
  call: ChatCall,
  requestId: string,
): Promise<CallContext> {
  const { config, effective, zeroCost } = deps.source.current;
  let tier: ModelTier | 'tool';
  let critical = false;
  let maxTier: ModelTier | 'tool';
  if (call.tier !== null) {
    tier = call.tier;
    maxTier = call.tier;
  } else {
    const { decision } = await deps.decider.decide(
      effective,
      {
        skill: { skill: API_SKILL, agent: API_AGENT, tierHint: 'small', critical: false },
        origin: { kind: 'a2a', brain: deps.brain, by: principal },
        principal,
        tokensEstimate: estimatePromptTokens(call),
        jsonRequested: call.output !== undefined,
        toolsRequested: false,
      },
      new Date(),
      zeroCost,
    );
    if (decision.budgetAction === 'reject' || decision.budgetAction === 'queue') {
      throw new ForgeError('BUDGET_EXHAUSTED', decision.reasons.join('; '), { retryable: false });
    }
    tier = decision.tier;
    critical = decision.critical;
    maxTier = decision.maxTier;
  }
  return {
    source: 'api',
    taskId: requestId,
    attempt: 1,
    callId: 0,
    skill: API_SKILL,
    agent: API_AGENT,
    principal,
    partner: null,
    tier,
    critical,
    maxTier,
    escalation: escalationPolicyFor(config, API_SKILL),
  };
}

function extras(outcome: Extract<CallOutcome, { ok: true }>): ForgeExtras {
  return {
    tier: outcome.tier,
    offline: outcome.offline,
    cost_micros: outcome.costMicros,
    shadow_cost_micros: outcome.shadowCostMicros,
    notes: outcome.notes,
  };
}

function reply(res: Response, id: string, outcome: CallOutcome, logger: Logger): void {
  if (!outcome.ok) {
    sendOpenAIError(res, outcomeError(outcome.code, outcome.message), logger, { requestId: id });
    return;
  }
  // Written straight to the socket: express's `res.json` would re-parse the content type and
  // run its `send` machinery on every answer of the hot path for nothing this body needs.
  const body = JSON.stringify({
    id: `chatcmpl-${id}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: outcome.model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: outcome.text, refusal: null },
        logprobs: null,
        finish_reason: openAIFinishReason(outcome.finishReason),
      },
    ],
    usage: openAIUsage(outcome.usage),
    forge: extras(outcome),
  });
  res.statusCode = 200;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(body);
}

/**
 * Writes an OpenAI chat-completion stream. Headers go out with the first delta, so a call that
 * fails before any text still gets a proper HTTP error status.
 */
class SseWriter {
  readonly #res: Response;
  readonly #id: string;
  readonly #created = Math.floor(Date.now() / 1000);
  #model = 'forge';
  #started = false;

  constructor(res: Response, id: string) {
    this.#res = res;
    this.#id = `chatcmpl-${id}`;
  }

  delta(text: string): void {
    this.#open();
    this.#chunk({ content: text }, null);
  }

  end(outcome: CallOutcome, includeUsage: boolean, logger: Logger): void {
    if (this.#res.writableEnded || this.#res.destroyed) return;
    if (!outcome.ok) {
      const error = outcomeError(outcome.code, outcome.message);
      if (!this.#started) {
        sendOpenAIError(this.#res, error, logger, { requestId: this.#id });
        return;
      }
      const view = callerError(error);
      logger.warn(
        { requestId: this.#id, errorId: view.errorId, code: view.code, err: outcome.message },
        'chat completion stream failed',
      );
      this.#send(openAIError(view).body);
      this.#res.end('data: [DONE]\n\n');
      return;
    }
    this.#model = outcome.model;
    if (!this.#started) {
      // Nothing was streamed (structured output, or an empty reply): the whole text in one chunk.
      this.#open();
      this.#chunk({ content: outcome.text }, null);
    }
    this.#chunk({}, openAIFinishReason(outcome.finishReason), { forge: extras(outcome) });
    if (includeUsage) {
      this.#send({
        id: this.#id,
        object: 'chat.completion.chunk',
        created: this.#created,
        model: this.#model,
        choices: [],
        usage: openAIUsage(outcome.usage),
      });
    }
    this.#res.end('data: [DONE]\n\n');
  }

  #open(): void {
    if (this.#started) return;
    this.#started = true;
    this.#res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    this.#chunk({ role: 'assistant', content: '' }, null);
  }

  #chunk(delta: Record<string, unknown>, finish: string | null, extra: Record<string, unknown> = {}): void {
    this.#send({
      id: this.#id,
      object: 'chat.completion.chunk',
      created: this.#created,
      model: this.#model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      ...extra,
    });
  }

  #send(payload: unknown): void {
    if (!this.#res.writableEnded && !this.#res.destroyed)
      this.#res.write(`data: ${JSON.stringify(payload)}\n\n`);
  }
}
