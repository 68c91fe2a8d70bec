import { type Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import {
  type JsonRpcId,
  ON_BEHALF_OF,
  replyJsonRpcBodyError,
  replyJsonRpcError,
  replyRestError,
  streamErrorFrame,
} from '@forge/agent-kit';
import { ForgeError, PARTNER_PRINCIPAL_PREFIX } from '@forge/contracts';
import type { FederationConfig, RateLimiter } from '@forge/federation';
import { boundedJsonBody } from '@forge/service-runtime';
import { injectTraceContext, type Logger } from '@forge/telemetry';
import express, { type Request, type Response, type Router } from 'express';
import type pg from 'pg';
import { checkAnswer } from './answer-compliance.js';
import type { PartnerAuthenticator, PartnerCall } from './partner-auth.js';
import type { PartnerSpend } from './partner-spend.js';

/** The A2A v1.0 JSON-RPC methods (§5.3) the gateway passes on; the two sends are authorised by skill. */
const SEND_METHODS = new Set(['SendMessage', 'SendStreamingMessage']);
const OTHER_METHODS = new Set([
  'GetTask',
  'ListTasks',
  'CancelTask',
  'SubscribeToTask',
  'CreateTaskPushNotificationConfig',
  'GetTaskPushNotificationConfig',
  'ListTaskPushNotificationConfigs',
  'DeleteTaskPushNotificationConfig',
  'GetExtendedAgentCard',
]);
/** A raw path that could mean another path once decoded or resolved: dot segments, encoded `.`, `/`, `\`. */
const UNSAFE_PATH = /(^|\/)\.{1,2}(\/|$)|%2e|%2f|%5c|\\|#/i;
/** The only protocol version the gateway speaks with partners and its own agents. */
const A2A_VERSION = '1.0';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Headers of the agent's answer passed on to the partner. */
const PASSED_BACK = ['content-type', 'retry-after', 'cache-control', 'a2a-version'];
/** The largest JSON answer the gateway reads whole to screen it. */
const MAX_SCREENED_BYTES = 16 * 1024 * 1024;

export interface InboundDeps {
  config: FederationConfig;
  auth: PartnerAuthenticator;
  limiter: RateLimiter;
  spend: PartnerSpend;
  pool: pg.Pool;
  schema: string;
  agentUrls: Readonly<Record<string, string>>;
  /** The gateway's key at the local agents (it may act for partner principals). */
  gatewayKey: () => Promise<string>;
  bodyLimit: string;
  logger: Logger;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Whether a request of the HTTP+JSON binding is one of the A2A v1.0 routes (§11.3, the shapes of
 * agent-kit's REST binding), and whether it sends a message. Anything else is METHOD_NOT_FOUND;
 * a raw path with dot segments or encoded `.`, `/`, `\` is refused before it is routed, so what
 * is forwarded is the path that was checked.
 */
export function restRoute(verb: string, rawPath: string): { send: boolean } {
  if (UNSAFE_PATH.test(rawPath)) {
    throw new ForgeError('BAD_INPUT', 'path: dot segments and encoded ".", "/" or "\\" are not allowed', {
      details: { field: 'path' },
    });
  }
  if ((rawPath === '/message:send' || rawPath === '/message:stream') && verb === 'POST')
    return { send: true };
  if (rawPath === '/tasks' && verb === 'GET') return { send: false };
  if (rawPath === '/extendedAgentCard' && verb === 'GET') return { send: false };
  const task = /^\/tasks\/([^/:]+)(:cancel|:subscribe|\/pushNotificationConfigs(?:\/[^/:]+)?)?$/.exec(
    rawPath,
  );
  const action = task?.[2];
  if (task) {
    if (action === undefined && verb === 'GET') return { send: false };
    if (action === ':cancel' && verb === 'POST') return { send: false };
    if (action === ':subscribe' && (verb === 'POST' || verb === 'GET')) return { send: false };
    if (action === '/pushNotificationConfigs' && (verb === 'POST' || verb === 'GET')) return { send: false };
    if (action?.startsWith('/pushNotificationConfigs/') && (verb === 'GET' || verb === 'DELETE'))
      return { send: false };
  }
  throw new ForgeError('METHOD_NOT_FOUND', `no A2A v1.0 operation at ${verb} ${rawPath.slice(0, 200)}`);
}

/**
 * The A2A version a partner asks for (`A2A-Version` header, else the query parameter): absent is
 * taken as 1.0, the only version the gateway speaks; any other is UNSUPPORTED_VERSION
 * (VersionNotSupportedError). The gateway always forwards `A2A-Version: 1.0`.
 */
export function checkVersion(req: Request): void {
  let raw = req.header('a2a-version');
  if (raw === undefined) {
    for (const [key, value] of Object.entries(req.query)) {
      if (key.toLowerCase() === 'a2a-version') raw = Array.isArray(value) ? value.join(',') : String(value);
    }
  }
  const trimmed = raw?.trim() ?? '';
  if (trimmed === '') return;
  const match = /^(\d{1,4})(?:\.(\d{1,4}))?(?:\.\d{1,4})?$/.exec(trimmed);
  if (match && Number(match[1]) === 1 && Number(match[2] ?? 0) === 0) return;
  throw new ForgeError(
    'UNSUPPORTED_VERSION',
    `A2A-Version ${JSON.stringify(trimmed.slice(0, 20))} is not supported; this gateway speaks ${A2A_VERSION}`,
    { details: { field: 'A2A-Version' } },
  );
}

/** The skill a message names: `metadata.skill`, else a data part shaped `{ skill, input }`. */
export function skillOfMessage(message: unknown): string | undefined {
  if (!isObject(message)) return undefined;
  if (isObject(message.metadata) && typeof message.metadata.skill === 'string') return message.metadata.skill;
  const parts = Array.isArray(message.parts) ? message.parts : [];
  for (const part of parts) {
    if (isObject(part) && isObject(part.data) && typeof part.data.skill === 'string') return part.data.skill;
  }
  return undefined;
}

/**
 * The partner-facing A2A bindings. Each call is authenticated (a token or an API key), the skill
 * of a message is authorised for that partner (and its token's scopes), the partner's rate is
 * checked (429 with Retry-After), and a new task's budget; then the call goes to the local agent
 * that owns the skill, with the gateway's key and `Forge-On-Behalf-Of: partner:<name>`, so the
 * task's owner and origin name the partner and every later operation on it (GetTask, ListTasks,
 * CancelTask, SubscribeToTask) sees only that partner's tasks. The agent's answer (JSON or an SSE
 * stream) goes back as it comes. Errors of the gateway's own are in the binding's format, from the
 * error table, with `WWW-Authenticate` on 401.
 */
export class InboundGateway {
  readonly #deps: InboundDeps;
  readonly #httpsAgent = new HttpsAgent({ keepAlive: true });
  readonly #httpAgent: HttpAgent;
  readonly #defaultAgent: string;

  constructor(deps: InboundDeps, httpAgent: HttpAgent) {
    this.#deps = deps;
    this.#httpAgent = httpAgent;
    const first = deps.config.shares[0];
    this.#defaultAgent = first ? first.slice(0, first.indexOf('.')) : (Object.keys(deps.agentUrls)[0] ?? '');
  }

  jsonRpc(): Router {
    const d = this.#deps;
    const router = express.Router();
    const readBody = boundedJsonBody({ limit: d.bodyLimit, types: ['application/json'], absentIsJson: true });
    router.post('/', (req, res) => {
      let call: PartnerCall | undefined;
      let id: JsonRpcId = null;
      const fail = (error: unknown) =>
        replyJsonRpcError(res, id, error, d.logger, {
          challenge: d.auth.challenge(error),
          context: { partner: call?.partner },
        });
      void (async () => {
        // Who calls is known before the body is read: an unknown caller cannot make us read one.
        call = await d.auth.authenticate(req);
        checkVersion(req);
        const bodyError = await new Promise<unknown>((resolve) => readBody(req, res, resolve));
        if (bodyError) {
          replyJsonRpcBodyError(res, bodyError, d.logger);
          return;
        }
        const body: unknown = req.body;
        const rawId = isObject(body) ? body.id : null;
        id = typeof rawId === 'string' || typeof rawId === 'number' ? rawId : null;
        const method = isObject(body) && typeof body.method === 'string' ? body.method : '';
        const send = SEND_METHODS.has(method);
        if (!send && !OTHER_METHODS.has(method)) {
          throw new ForgeError('METHOD_NOT_FOUND', `method: no A2A v1.0 method ${method.slice(0, 100)}`, {
            details: { field: 'method' },
          });
        }
        const params = isObject(body) && isObject(body.params) ? body.params : {};
        const agent = send
          ? await this.#admitMessage(call, params.message, 'params.message')
          : this.#admitOther(call);
        this.#forward(
          req,
          res,
          agent,
          '/a2a/jsonrpc',
          'POST',
          JSON.stringify(body),
          call.partner,
          fail,
          send ? params.message : undefined,
          { binding: 'JSONRPC', id },
        );
      })().catch(fail);
    });
    router.all('/', (req, res) => {
      res.set('Allow', 'POST');
      replyJsonRpcError(
        res,
        null,
        new ForgeError('METHOD_NOT_FOUND', `JSON-RPC takes POST, not ${req.method}`),
        d.logger,
      );
    });
    return router;
  }

  rest(): Router {
    const d = this.#deps;
    const router = express.Router();
    const readBody = boundedJsonBody({
      limit: d.bodyLimit,
      types: ['application/json', 'application/a2a+json'],
    });
    router.use((req, res) => {
      let call: PartnerCall | undefined;
      const fail = (error: unknown) =>
        replyRestError(res, error, d.logger, {
          challenge: d.auth.challenge(error),
          context: { partner: call?.partner },
        });
      void (async () => {
        call = await d.auth.authenticate(req);
        checkVersion(req);
        const query = req.url.indexOf('?');
        const rawPath = query === -1 ? req.url : req.url.slice(0, query);
        const { send } = restRoute(req.method, rawPath);
        await new Promise<void>((resolve, reject) =>
          readBody(req, res, (e?: unknown) => (e ? reject(e) : resolve())),
        );
        const hasBody = req.method !== 'GET' && req.method !== 'HEAD' && req.body !== undefined;
        const body: unknown = hasBody ? req.body : undefined;
        const agent = send
          ? await this.#admitMessage(call, isObject(body) ? body.message : undefined, 'message')
          : this.#admitOther(call);
        this.#forward(
          req,
          res,
          agent,
          `/a2a/rest${req.url}`,
          req.method,
          body === undefined ? undefined : JSON.stringify(body),
          call.partner,
          fail,
          send && isObject(body) ? body.message : undefined,
          { binding: 'HTTP+JSON', id: null },
        );
      })().catch(fail);
    });
    return router;
  }

  /**
   * A message: its skill granted, the rate, the budget (new tasks); the agent that runs it. The
   * granted skill is written into `metadata.skill` of the message that is forwarded (the agent
   * reads that first), so the agent runs that skill and no other (not its default); a data part
   * that names another skill is refused.
   */
  async #admitMessage(call: PartnerCall, message: unknown, field: string): Promise<string> {
    if (!isObject(message)) {
      throw new ForgeError('BAD_INPUT', `${field}: must be an A2A message object`, { details: { field } });
    }
    let skill = skillOfMessage(message);
    const taskId = isObject(message) && typeof message.taskId === 'string' ? message.taskId : '';
    if (skill === undefined && taskId !== '') skill = await this.#skillOfTask(call, taskId, field);
    if (skill === undefined) {
      throw new ForgeError(
        'BAD_INPUT',
        `${field}.metadata.skill: name the skill to call (one this brain shares with you)`,
        {
          details: { field: `${field}.metadata.skill` },
        },
      );
    }
    this.#deps.auth.authorise(call, skill);
    const parts = Array.isArray(message.parts) ? message.parts : [];
    parts.forEach((part, i) => {
      if (
        isObject(part) &&
        isObject(part.data) &&
        typeof part.data.skill === 'string' &&
        part.data.skill !== skill
      ) {
        throw new ForgeError(
          'BAD_INPUT',
          `${field}.parts[${i}].data.skill: names another skill than the one called (${skill})`,
          { details: { field: `${field}.parts[${i}].data.skill` } },
        );
      }
    });
    message.metadata = { ...(isObject(message.metadata) ? message.metadata : {}), skill };
    this.#rate(call);
    if (taskId === '') await this.#deps.spend.admit(call.partner);
    const agent = skill.slice(0, skill.indexOf('.'));
    if (!this.#deps.agentUrls[agent]) {
      throw new ForgeError('UNAVAILABLE', `the agent of ${skill} is not reachable from the gateway`);
    }
    return agent;
  }

  #admitOther(call: PartnerCall): string {
    this.#rate(call);
    return this.#defaultAgent;
  }

  #rate(call: PartnerCall): void {
    const limit = this.#deps.config.partners[call.partner]?.inbound?.rateLimit;
    if (!limit) throw new ForgeError('FORBIDDEN', `partner ${call.partner} may not call this brain`);
    const decision = this.#deps.limiter.take(call.partner, limit);
    if (!decision.allowed) {
      throw new ForgeError(
        'RATE_LIMITED',
        `partner ${call.partner}: over ${limit.perMinute} calls a minute`,
        {
          details: { retryAfterSeconds: decision.retryAfterSeconds },
        },
      );
    }
  }

  /**
   * A JSON answer, read whole (bounded) and put through the outbound policy before the partner
   * gets it: what breaks a blocking brand-safety rule (personal data, credentials) is withheld
   * with FORBIDDEN naming the rules; what only needs review is logged and goes out.
   */
  #screened(
    answer: IncomingMessage,
    res: Response,
    request: unknown,
    partner: string,
    fail: (error: unknown) => void,
  ): void {
    const chunks: Buffer[] = [];
    let size = 0;
    answer.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_SCREENED_BYTES) {
        answer.destroy();
        fail(new ForgeError('INTERNAL', 'the answer is too large to be screened'));
        return;
      }
      chunks.push(chunk);
    });
    answer.once('error', (error) =>
      fail(new ForgeError('UNAVAILABLE', 'the local agent broke off', { cause: error })),
    );
    answer.once('end', () => {
      if (size > MAX_SCREENED_BYTES) return;
      const buffer = Buffer.concat(chunks);
      if ((answer.statusCode ?? 500) < 300) {
        let json: unknown;
        try {
          json = JSON.parse(buffer.toString('utf8'));
        } catch {
          json = undefined;
        }
        const result = isObject(json) && 'jsonrpc' in json ? json.result : json;
        const verdict = checkAnswer(result, {
          request,
          allowedContacts: this.#deps.config.compliance.allowedContacts,
        });
        if (verdict.decision === 'block') {
          this.#deps.logger.warn(
            { partner, rules: verdict.rules },
            'answer to a partner withheld by the outbound policy',
          );
          res.removeHeader('content-type');
          fail(
            new ForgeError(
              'FORBIDDEN',
              `the answer was withheld: it breaks this brain's outbound policy (${verdict.rules.join(', ')})`,
            ),
          );
          return;
        }
        if (verdict.decision === 'needs-review') {
          this.#deps.logger.warn(
            { partner, rules: verdict.rules },
            'answer to a partner needs review by the outbound policy',
          );
        }
      }
      res.setHeader('content-length', String(buffer.length));
      res.end(buffer);
    });
  }

  /**
   * An SSE answer, passed on event by event, each put through the outbound policy first: an event
   * that breaks a blocking rule is not sent; the stream ends with an error event in the binding's
   * format instead. (Each event is judged alone: text split across two chunks is judged in parts.)
   */
  #screenedStream(
    answer: IncomingMessage,
    res: Response,
    request: unknown,
    partner: string,
    stream: { binding: 'JSONRPC' | 'HTTP+JSON'; id: JsonRpcId },
  ): void {
    let buffer = '';
    let stopped = false;
    answer.setEncoding('utf8');
    /** One SSE frame through the policy: written if it passes, else the stream ends with an error. */
    const pass = (frame: string): void => {
      const data = frame
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trimStart())
        .join('\n');
      let json: unknown;
      try {
        json = data ? JSON.parse(data) : undefined;
      } catch {
        json = undefined;
      }
      const result = isObject(json) && 'jsonrpc' in json ? json.result : json;
      const verdict = checkAnswer(result, {
        request,
        allowedContacts: this.#deps.config.compliance.allowedContacts,
      });
      if (verdict.decision === 'block') {
        stopped = true;
        this.#deps.logger.warn(
          { partner, rules: verdict.rules },
          'stream to a partner cut by the outbound policy',
        );
        res.write(
          streamErrorFrame(
            stream.binding,
            stream.id,
            new ForgeError(
              'FORBIDDEN',
              `the answer was withheld: it breaks this brain's outbound policy (${verdict.rules.join(', ')})`,
            ),
            this.#deps.logger,
            { partner },
          ),
        );
        answer.destroy();
        res.end();
        return;
      }
      if (verdict.decision === 'needs-review') {
        this.#deps.logger.warn(
          { partner, rules: verdict.rules },
          'stream event to a partner needs review by the outbound policy',
        );
      }
      res.write(frame);
    };
    answer.on('data', (text: string) => {
      if (stopped) return;
      buffer += text;
      for (let end = buffer.indexOf('\n\n'); end >= 0 && !stopped; end = buffer.indexOf('\n\n')) {
        const frame = buffer.slice(0, end + 2);
        buffer = buffer.slice(end + 2);
        pass(frame);
      }
    });
    answer.once('end', () => {
      if (stopped) return;
      // A last frame without its blank line is judged like any other.
      if (buffer) pass(buffer);
      if (!stopped) res.end();
    });
    answer.once('error', () => {
      if (!res.writableEnded) res.end();
    });
  }

  /** The skill of the partner's own task (a follow-up message names none); NOT_FOUND otherwise. */
  async #skillOfTask(call: PartnerCall, taskId: string, field: string): Promise<string> {
    const notFound = new ForgeError('NOT_FOUND', `task not found: ${taskId.slice(0, 100)}`, {
      details: { field: `${field}.taskId` },
    });
    if (!UUID.test(taskId)) throw notFound;
    const table = `"${this.#deps.schema.replaceAll('"', '""')}".tasks`;
    const result = await this.#deps.pool.query<{ skill: string }>(
      `SELECT skill FROM ${table} WHERE id = $1 AND owner = $2`,
      [taskId.toLowerCase(), `${PARTNER_PRINCIPAL_PREFIX}${call.partner}`],
    );
    const skill = result.rows[0]?.skill;
    if (!skill) throw notFound;
    return skill;
  }

  #forward(
    req: Request,
    res: Response,
    agent: string,
    path: string,
    method: string,
    body: string | undefined,
    partner: string,
    fail: (error: unknown) => void,
    request: unknown,
    stream: { binding: 'JSONRPC' | 'HTTP+JSON'; id: JsonRpcId },
  ): void {
    const base = this.#deps.agentUrls[agent];
    if (!base) {
      fail(new ForgeError('UNAVAILABLE', 'no agent of this brain answers that call'));
      return;
    }
    void this.#deps
      .gatewayKey()
      .then((key) => {
        const target = new URL(`${base}${path}`);
        const root = new URL(base).pathname.replace(/\/$/, '');
        const mount = path === '/a2a/jsonrpc' ? `${root}/a2a/jsonrpc` : `${root}/a2a/rest/`;
        if (
          !(path === '/a2a/jsonrpc' ? target.pathname === mount : target.pathname.startsWith(mount)) ||
          target.origin !== new URL(base).origin
        ) {
          throw new ForgeError('BAD_INPUT', 'path: does not name an A2A operation', {
            details: { field: 'path' },
          });
        }
        const headers: Record<string, string> = {
          authorization: `Bearer ${key}`,
          [ON_BEHALF_OF]: `${PARTNER_PRINCIPAL_PREFIX}${partner}`,
          accept: req.header('accept') ?? 'application/json, text/event-stream',
          ...injectTraceContext({}),
        };
        headers['a2a-version'] = A2A_VERSION;
        const extensions = req.header('a2a-extensions');
        if (extensions !== undefined) headers['a2a-extensions'] = extensions;
        if (body !== undefined) {
          headers['content-type'] = 'application/json';
          headers['content-length'] = String(Buffer.byteLength(body));
        }
        const send = (retry: boolean): void => {
          const upstream = (target.protocol === 'https:' ? httpsRequest : httpRequest)(target, {
            method,
            headers,
            agent: target.protocol === 'https:' ? this.#httpsAgent : this.#httpAgent,
          });
          const onClose = () => {
            if (!upstream.destroyed) upstream.destroy();
          };
          res.once('close', onClose);
          upstream.once('response', (answer: IncomingMessage) => {
            if (answer.statusCode === 401) {
              answer.resume();
              fail(new ForgeError('BAD_CONFIG', `the local agent ${agent} refused the gateway's key`));
              return;
            }
            res.status(answer.statusCode ?? 502);
            for (const name of PASSED_BACK) {
              const value = answer.headers[name];
              if (value !== undefined) res.setHeader(name, value);
            }
            if (String(answer.headers['content-type'] ?? '').startsWith('text/event-stream')) {
              res.setHeader('X-Accel-Buffering', 'no');
              res.flushHeaders();
              this.#screenedStream(answer, res, request, partner, stream);
              return;
            }
            this.#screened(answer, res, request, partner, fail);
          });
          upstream.once('error', (error: NodeJS.ErrnoException) => {
            res.off('close', onClose);
            // A kept-alive socket the agent closed just as we reused it: nothing reached the
            // agent, so sending again once is safe (Node's documented pattern).
            if (retry && upstream.reusedSocket && error.code === 'ECONNRESET' && !res.headersSent) {
              send(false);
              return;
            }
            if (!res.headersSent) {
              fail(
                new ForgeError('UNAVAILABLE', `the local agent ${agent} did not answer`, { cause: error }),
              );
            } else res.end();
          });
          upstream.end(body);
        };
        send(true);
      })
      .catch(fail);
  }
}
