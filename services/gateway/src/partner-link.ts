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

/** What a verified partner card tells us: where to call and where its tokens come from. */
interface KnownCard {
  readonly jsonRpcUrl: string;
  readonly tokenUrl: string | undefined;
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
    this.#card = {
      jsonRpcUrl: jsonRpc.url,
      tokenUrl: typeof tokenUrl === 'string' && URL.canParse(tokenUrl) ? tokenUrl : undefined,
      at: Date.now(),
    };
    return this.#card;
  }

  /** Asks the partner's `skill` with `input`; see the class. */
  async ask(skill: string, input: unknown, timeoutMs: number): Promise<PartnerAskReply> {
    const outbound = this.#outbound;
    if (!outbound || !outbound.skills.includes(skill)) {
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
        const reply = await this.#send(skill, message, deadline);
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

  async #send(skill: string, message: unknown, deadline: number): Promise<PartnerAskReply> {
    const card = await this.card();
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
          ...(this.#tokens ? { authorization: `Bearer ${credential}` } : { 'x-api-key': credential }),
          ...injectTraceContext({}),
        },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: randomUUID(),
          method: 'SendMessage',
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
