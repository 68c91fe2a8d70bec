import type { ApprovalItem } from '@forge/contracts';
import type { Logger } from '@forge/telemetry';
import type { Response } from 'express';

/** What a listener is told when the pending queue changes. */
export interface QueueChange {
  /** Grows by one per change this process has seen. */
  readonly version: number;
  readonly pending: number;
  /** Items pending now that were not at the previous look. */
  readonly added: number;
  readonly ids: readonly string[];
}

const HEARTBEAT_MS = 25_000;

/**
 * Server-sent events for the approvals page: one loop per console process looks at the pending
 * queue every `pollMs` (the queue lives in Postgres and any compliance replica adds to it) and,
 * when the set of pending items or any of them changed, sends `event: approvals` to every open
 * stream. A new stream is told the current state at once. Rounds never overlap.
 */
export class ApprovalFeed {
  readonly #listPending: () => Promise<ApprovalItem[]>;
  readonly #pollMs: number;
  readonly #logger: Logger;
  readonly #streams = new Set<Response>();
  #signature = '';
  #ids = new Set<string>();
  #state: QueueChange = { version: 0, pending: 0, added: 0, ids: [] };
  #timer: NodeJS.Timeout | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #round: Promise<void> | undefined;
  #stopped = false;

  constructor(deps: { listPending: () => Promise<ApprovalItem[]>; pollMs: number; logger: Logger }) {
    this.#listPending = deps.listPending;
    this.#pollMs = deps.pollMs;
    this.#logger = deps.logger;
  }

  get state(): QueueChange {
    return this.#state;
  }

  async start(): Promise<void> {
    await this.poll();
    this.#schedule();
    this.#heartbeat = setInterval(() => {
      for (const res of this.#streams) res.write(': keep-alive\n\n');
    }, HEARTBEAT_MS);
    this.#heartbeat.unref();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    clearInterval(this.#heartbeat);
    await this.#round;
    for (const res of this.#streams) res.end();
    this.#streams.clear();
  }

  /** Opens an SSE stream on `res` (the caller checked the session). */
  subscribe(res: Response): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(`retry: 3000\n`);
    this.#send(res, this.#state);
    this.#streams.add(res);
    res.on('close', () => this.#streams.delete(res));
  }

  /** One look at the queue (also called by tests and after a decision, so the change shows at once). */
  async poll(): Promise<void> {
    const items = await this.#listPending();
    const signature = items.map((i) => `${i.id}@${i.updatedAt}`).join(',');
    if (signature === this.#signature) return;
    const ids = items.map((i) => i.id);
    const added = this.#state.version === 0 ? 0 : ids.filter((id) => !this.#ids.has(id)).length;
    this.#signature = signature;
    this.#ids = new Set(ids);
    this.#state = { version: this.#state.version + 1, pending: items.length, added, ids };
    for (const res of this.#streams) this.#send(res, this.#state);
  }

  #send(res: Response, change: QueueChange): void {
    res.write(`event: approvals\ndata: ${JSON.stringify(change)}\n\n`);
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#round = this.poll()
        .catch((error: unknown) => this.#logger.warn({ err: String(error) }, 'approval feed round failed'))
        .finally(() => this.#schedule());
    }, this.#pollMs);
    this.#timer.unref();
  }
}
