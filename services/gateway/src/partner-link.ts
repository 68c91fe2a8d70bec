import { randomUUID } from 'node:crypto';
import { Message } from '@a2a-js/sdk';
import { skillMessage } from '@forge/agent-kit';
import { ERROR_CODES, type ErrorCode, ForgeError, type PartnerAskReply } from '@forge/contracts';
import {
  CircuitBreaker,
  type PartnerConfig,
  SecretSource,
  TokenClient,
  verifyCardSignature,
} from '@forge/federation';
import { injectTraceContext, type Logger } from '@forge/telemetry';

type Outbound = NonNullable<PartnerConfig['outbound']>;

/** What a partner's stream says as it goes (data for the local task, never instructions). */
export type PartnerEvent =
  | { kind: 'task'; taskId: string; state: PartnerAskReply['state'] }
  | { kind: 'status'; state: PartnerAskReply['state']; text: string | undefined }
  | {
      kind: 'artifact';
      artifactId: string;
      name: string | undefined;
      parts: ({ text: string } | { data: unknown })[];
      append: boolean;
      lastChunk: boolean;
    };

/** What a verified partner card tells us: where to call and where its tokens come from. */
interface KnownCard {
  readonly jsonRpcUrl: string;
  readonly tokenUrl: string | undefined;
  readonly streaming: boolean;
  readonly at: number;
}

const STATES: Record<string, PartnerAskReply['state']> = {
  TASK_STATE_SUBMITTED: 'submitted',
  TASK_STATE_WORKING: 'working',
  TASK_STATE_COMPLETED: 'completed',
  TASK_STATE_FAILED: 'failed',
  TASK_STATE_CANCELED: 'canceled',
  TASK_STATE_REJECTED: 'rejected',
  TASK_STATE_INPUT_REQUIRED: 'input-required',
  TASK_STATE_AUTH_REQUIRED: 'auth-required',
};

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && (ERROR_CODES as readonly string[]).includes(code);
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The text parts of a message (protocol JSON), joined. */
function textOf(message: unknown): string | undefined {
  if (!isObject(message) || !Array.isArray(message.parts)) return undefined;
  const texts = message.parts.flatMap((p) => (isObject(p) && typeof p.text === 'string' ? [p.text] : []));
  return texts.length > 0 ? texts.join('\n').slice(0, 100_000) : undefined;
}

/** The first data part's value of a list of parts. */
function dataOf(parts: unknown): unknown {
  if (!Array.isArray(parts)) return undefined;
  return parts.find((p) => isObject(p) && p.data !== undefined)?.data;
}

/**
 * Our link to one partner: its card (fetched and its signature verified before anything in it is
 * used, kept for `cardTtlMs`), our credentials for it (an OAuth2 token fetched and cached until
 * shortly before expiry and fetched again on 401, or an API key), and a circuit breaker. `ask`
 * calls one of its skills with SendMessage over JSON-RPC, with a deadline, retries (with backoff,
 * honouring Retry-After) on what is retryable, and the caller's trace context.
 */
export class PartnerLink {
  readonly name: string;
  readonly #config: PartnerConfig;
  readonly #outbound: Outbound | undefined;
  readonly #cardTtlMs: number;
  readonly #logger: Logger;
  readonly #breaker: CircuitBreaker;
  readonly #tokens: TokenClient | null;
  readonly #apiKey: SecretSource | null;
  #card: KnownCard | null = null;

  constructor(
    name: string,
    config: PartnerConfig,
    deps: { env: Readonly<Record<string, string | undefined>>; cardTtlMs: number; logger: Logger },
  ) {
    this.name = name;
    this.#config = config;
    this.#outbound = config.outbound;
    this.#cardTtlMs = deps.cardTtlMs;
    this.#logger = deps.logger;
    this.#breaker = new CircuitBreaker(config.outbound?.breaker ?? { failures: 5, openMs: 30_000 });
    const c = config.outbound?.credentials;
    this.#tokens =
      c?.kind === 'oauth2'
        ? new TokenClient({
            clientId: c.clientId,
            secret: new SecretSource(
              `partners.${name}.outbound.credentials`,
              { file: c.clientSecretFile, env: c.clientSecretEnv },
              deps.env,
            ),
            tokenUrl: async () => {
              if (c.tokenUrl) return c.tokenUrl;
              const card = await this.card();
              if (!card.tokenUrl)
                throw new ForgeError('UNAVAILABLE', `partner ${name}'s card offers no OAuth2 token URL`);
              return card.tokenUrl;
            },
          })
        : null;
    this.#apiKey =
      c?.kind === 'apiKey'
        ? new SecretSource(
            `partners.${name}.outbound.credentials`,
            { file: c.keyFile, env: c.keyEnv },
            deps.env,
          )
        : null;
  }

  /** How many tokens this link fetched (a refresh after 401 shows here). */
  get tokensFetched(): number {
    return this.#tokens?.fetched ?? 0;
  }

  /** The partner's card, verified: its signature by a key from the JWKS its jku names, on its origin. */
  async card(force = false): Promise<KnownCard> {
    if (!force && this.#card && Date.now() - this.#card.at < this.#cardTtlMs) return this.#card;
    const cardUrl = this.#config.cardUrl;
    const json = await this.#fetchJson(cardUrl, 'card');
    if (!isObject(json))
      throw new ForgeError('UNAVAILABLE', `partner ${this.name}: the card is not a JSON object`);
    const origin = new URL(cardUrl).origin;
    await verifyCardSignature(json, {
      allowJku: (jku) =>
        this.#config.jwksUrl
          ? jku === this.#config.jwksUrl
          : URL.canParse(jku) && new URL(jku).origin === origin,
      jwks: async (jku) => {
        const set = await this.#fetchJson(jku, 'JWKS');
        if (!isObject(set) || !Array.isArray(set.keys))
          throw new ForgeError('FORBIDDEN', `partner ${this.name}: ${jku} is not a JWKS`);
        return set as { keys: [] };
      },
    }).catch((error: unknown) => {
      this.#card = null;
      throw new ForgeError('FORBIDDEN', `partner ${this.name}: ${(error as Error).message}`, {
        retryable: false,
        cause: error,
      });
    });
    const interfaces = Array.isArray(json.supportedInterfaces)
      ? json.supportedInterfaces.filter(isObject)
      : [];
    const jsonRpc = interfaces.find((i) => i.protocolBinding === 'JSONRPC' && i.protocolVersion === '1.0');
    if (!jsonRpc || typeof jsonRpc.url !== 'string' || !URL.canParse(jsonRpc.url)) {
      throw new ForgeError('UNAVAILABLE', `partner ${this.name}: the card has no JSON-RPC v1.0 interface`);
    }
    const schemes = isObject(json.securitySchemes) ? Object.values(json.securitySchemes) : [];
    const oauth = schemes.find((s) => isObject(s) && isObject(s.oauth2SecurityScheme)) as
      | { oauth2SecurityScheme: { flows?: { clientCredentials?: { tokenUrl?: unknown } } } }
      | undefined;
    const tokenUrl = oauth?.oauth2SecurityScheme.flows?.clientCredentials?.tokenUrl;
    const capabilities = isObject(json.capabilities) ? json.capabilities : {};
    this.#card = {
      streaming: capabilities.streaming === true,
      jsonRpcUrl: jsonRpc.url,
      tokenUrl: typeof tokenUrl === 'string' && URL.canParse(tokenUrl) ? tokenUrl : undefined,
      at: Date.now(),
    };
    return this.#card;
  }

  /**
   * Asks the partner's `skill` with `input`; see the class. With `onEvent`, and a partner whose
   * card says it streams, the call is SendStreamingMessage and each event is handed over as it
   * comes (a retry happens only before the first event).
   */
  async ask(
    skill: string,
    input: unknown,
    timeoutMs: number,
    onEvent?: (event: PartnerEvent) => Promise<void>,
  ): Promise<PartnerAskReply> {
    const outbound = this.#outbound;
    if (!outbound?.skills.includes(skill)) {
      // The store's partner views know this refusal by its code and the text's start: keep in step.
      throw new ForgeError('FORBIDDEN', `this brain may not ask partner ${this.name} for ${skill}`, {
        retryable: false,
      });
    }
    const deadline = Date.now() + Math.min(timeoutMs, outbound.timeoutMs);
    const message = Message.toJSON(skillMessage({ skill, input, messageId: randomUUID() }));
    let refreshed = false;
    for (let attempt = 0; ; attempt++) {
      this.#breaker.admit(`partner ${this.name}`);
      try {
        const reply = await this.#send(skill, message, deadline, onEvent);
        this.#breaker.success();
        return reply;
      } catch (error) {
        const forge = ForgeError.from(error, 'UNAVAILABLE');
        if (forge.details?.tokenRefused === true && this.#tokens && !refreshed) {
          // The partner refused our token (expired early, its keys rotated): a new one, once.
          refreshed = true;
          this.#breaker.success();
          continue;
        }
        const wait = Number(forge.details?.retryAfterSeconds ?? 0) * 1000 || 200 * 2 ** attempt;
        const retryable = forge.retryable && attempt < outbound.retries && Date.now() + wait < deadline;
        if (forge.retryable || forge.code === 'UNAVAILABLE') this.#breaker.failure();
        else this.#breaker.success();
        if (!retryable) throw forge;
        this.#logger.info(
          { partner: this.name, skill, attempt, code: forge.code },
          'partner call failed; trying again',
        );
        await pause(wait);
      }
    }
  }

  async #send(
    skill: string,
    message: unknown,
    deadline: number,
    onEvent?: (event: PartnerEvent) => Promise<void>,
  ): Promise<PartnerAskReply> {
    const card = await this.card();
    const streaming = onEvent !== undefined && card.streaming;
    const credential = this.#tokens
      ? await this.#tokens.token()
      : this.#apiKey
        ? await this.#apiKey.read()
        : null;
    if (credential === null)
      throw new ForgeError('BAD_CONFIG', `partner ${this.name}: no outbound credentials`);
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw new ForgeError('DEADLINE_EXCEEDED', `partner ${this.name}: out of time`);
    let response: Response;
    try {
      response = await fetch(card.jsonRpcUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'a2a-version': '1.0',
          accept: streaming ? 'text/event-stream' : 'application/json',
          ...(this.#tokens ? { authorization: `Bearer ${credential}` } : { 'x-api-key': credential }),
          ...injectTraceContext({}),
        },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: randomUUID(),
          method: streaming ? 'SendStreamingMessage' : 'SendMessage',
          params: { message, configuration: { returnImmediately: false } },
        }),
        signal: AbortSignal.timeout(remaining),
      });
    } catch (error) {
      const timedOut = (error as Error).name === 'TimeoutError';
      throw new ForgeError(
        timedOut ? 'DEADLINE_EXCEEDED' : 'UNAVAILABLE',
        `partner ${this.name} did not answer`,
        {
          cause: error,
          retryable: !timedOut,
        },
      );
    }
    if (
      streaming &&
      response.ok &&
      (response.headers.get('content-type') ?? '').startsWith('text/event-stream')
    ) {
      return this.#readStream(skill, response, onEvent);
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ForgeError(
        'UNAVAILABLE',
        `partner ${this.name} answered ${response.status} with something that is not JSON`,
      );
    }
    if (response.status === 401) {
      if (this.#tokens) this.#tokens.invalidate(credential);
      throw new ForgeError('UNAUTHENTICATED', `partner ${this.name} refused our credentials`, {
        retryable: false,
        details: { tokenRefused: true },
      });
    }
    if (!isObject(json))
      throw new ForgeError('UNAVAILABLE', `partner ${this.name}: the answer is not a JSON-RPC response`);
    if (isObject(json.error)) throw this.#remoteError(json.error, response);
    return this.#answer(skill, json.result);
  }

  /**
   * Reads a SendStreamingMessage answer (SSE, each event a JSON-RPC response carrying a
   * StreamResponse), hands each event over, and answers with where the task ended.
   */
  async #readStream(
    skill: string,
    response: Response,
    onEvent: (event: PartnerEvent) => Promise<void>,
  ): Promise<PartnerAskReply> {
    let remoteTaskId = '';
    let state: PartnerAskReply['state'] = 'submitted';
    let text: string | undefined;
    let output: unknown;
    let reply: PartnerAskReply | undefined;
    const decoder = new TextDecoder();
    let buffer = '';
    const handle = async (data: string): Promise<void> => {
      let json: unknown;
      try {
        json = JSON.parse(data);
      } catch {
        throw new ForgeError('UNAVAILABLE', `partner ${this.name}: a stream event is not JSON`);
      }
      if (!isObject(json)) return;
      if (isObject(json.error)) throw this.#remoteError(json.error, response);
      const result = isObject(json.result) ? json.result : {};
      if (isObject(result.message)) {
        reply = this.#answer(skill, result);
        return;
      }
      if (isObject(result.task)) {
        const task = result.task;
        remoteTaskId = typeof task.id === 'string' ? task.id.slice(0, 200) : '';
        state = STATES[String(isObject(task.status) ? task.status.state : '')] ?? state;
        await onEvent({ kind: 'task', taskId: remoteTaskId, state });
        return;
      }
      if (isObject(result.statusUpdate)) {
        const status = isObject(result.statusUpdate.status) ? result.statusUpdate.status : {};
        state = STATES[String(status.state)] ?? state;
        text = textOf(status.message) ?? text;
        await onEvent({ kind: 'status', state, text: textOf(status.message) });
        return;
      }
      if (isObject(result.artifactUpdate)) {
        const update = result.artifactUpdate;
        const artifact = isObject(update.artifact) ? update.artifact : {};
        const artifactId = typeof artifact.artifactId === 'string' ? artifact.artifactId.slice(0, 200) : '';
        const parts = (Array.isArray(artifact.parts) ? artifact.parts : []).flatMap(
          (p): ({ text: string } | { data: unknown })[] =>
            isObject(p) && typeof p.text === 'string'
              ? [{ text: p.text }]
              : isObject(p) && p.data !== undefined
                ? [{ data: p.data }]
                : [],
        );
        if (artifactId === 'result') {
          output = dataOf(artifact.parts);
          return;
        }
        await onEvent({
          kind: 'artifact',
          artifactId,
          name: typeof artifact.name === 'string' ? artifact.name.slice(0, 200) : undefined,
          parts,
          append: update.append === true,
          lastChunk: update.lastChunk === true,
        });
      }
    };
    const reader = response.body!.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = event
          .split('\n')
          .filter((line) => line.startsWith('data:'))
          .map((line) => line.slice(5).trimStart())
          .join('\n');
        if (data) await handle(data);
      }
      if (buffer.length > 16 * 1024 * 1024)
        throw new ForgeError('UNAVAILABLE', `partner ${this.name}: a stream event is too large`);
    }
    if (reply) return reply;
    return {
      partner: this.name,
      skill,
      remoteTaskId,
      state,
      ...(output === undefined ? {} : { output }),
      ...(text ? { text } : {}),
    };
  }

  /** A partner's JSON-RPC error as ours: its Forge code when it says one, its retryability and wait. */
  #remoteError(error: Record<string, unknown>, response: Response): ForgeError {
    const details = Array.isArray(error.data) ? error.data.filter(isObject) : [];
    const info = details.find((d) => String(d['@type']).endsWith('google.rpc.ErrorInfo'));
    const metadata = isObject(info?.metadata) ? info.metadata : {};
    const code: ErrorCode = isErrorCode(metadata.code)
      ? metadata.code
      : error.code === -32001
        ? 'NOT_FOUND'
        : response.status >= 500
          ? 'UNAVAILABLE'
          : 'BAD_INPUT';
    const retryAfter = Number(response.headers.get('retry-after') ?? Number.NaN);
    const message = typeof error.message === 'string' ? error.message.slice(0, 500) : 'no message';
    return new ForgeError(code, `partner ${this.name}: ${message}`, {
      retryable: metadata.retryable === 'true' || [429, 502, 503, 504].includes(response.status),
      details: Number.isFinite(retryAfter) ? { retryAfterSeconds: retryAfter } : {},
    });
  }

  /** The partner's result as data: a Task's state, result artifact and status text, or a Message's. */
  #answer(skill: string, result: unknown): PartnerAskReply {
    if (!isObject(result))
      throw new ForgeError('UNAVAILABLE', `partner ${this.name}: SendMessage answered no result`);
    const message = isObject(result.message)
      ? result.message
      : result.role !== undefined
        ? result
        : undefined;
    if (message) {
      return {
        partner: this.name,
        skill,
        remoteTaskId: '',
        state: 'completed',
        output: dataOf(message.parts),
        text: textOf(message),
      };
    }
    const task = isObject(result.task) ? result.task : result;
    const status = isObject(task.status) ? task.status : {};
    const state = STATES[String(status.state)] ?? 'failed';
    const artifacts = Array.isArray(task.artifacts) ? task.artifacts.filter(isObject) : [];
    const artifact = artifacts.find((a) => a.artifactId === 'result') ?? artifacts[0];
    return {
      partner: this.name,
      skill,
      remoteTaskId: typeof task.id === 'string' ? task.id.slice(0, 200) : '',
      state,
      ...(artifact ? { output: dataOf(artifact.parts) } : {}),
      ...(textOf(status.message) ? { text: textOf(status.message) } : {}),
    };
  }

  async #fetchJson(url: string, what: string): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(url, {
        signal: AbortSignal.timeout(10_000),
        headers: { accept: 'application/json' },
      });
    } catch (error) {
      throw new ForgeError('UNAVAILABLE', `partner ${this.name}: the ${what} at ${url} did not answer`, {
        cause: error,
      });
    }
    if (!response.ok)
      throw new ForgeError(
        'UNAVAILABLE',
        `partner ${this.name}: the ${what} at ${url} answered ${response.status}`,
      );
    try {
      return await response.json();
    } catch {
      throw new ForgeError('UNAVAILABLE', `partner ${this.name}: the ${what} at ${url} is not JSON`);
    }
  }
}
