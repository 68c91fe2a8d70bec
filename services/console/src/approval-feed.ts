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
/** Open event streams one session may hold (tabs); one more is refused with 429. */
const MAX_STREAMS_PER_SESSION = 4;

/** Whose stream it is: the session (its key) and how to ask whether it is still live. */
export interface StreamOwner {
  /** Identifies the session in this process (never logged). */
  readonly key: string;
  /** False once the session ended (logout, expiry, password reset): its streams are closed. */
  alive(): Promise<boolean>;
}

/**
 * Server-sent events for the approvals page: one loop per console process looks at the pending
 * queue every `pollMs` (the queue lives in Postgres and any compliance replica adds to it) and,
 * when the set of pending items or any of them changed, sends `event: approvals` to every open
 * stream. A new stream is told the current state at once. Rounds never overlap. Each heartbeat
 * asks whether each stream's session is still live and ends the streams of one that is not, so a
 * stream never outlives its session; a session holds at most `maxStreamsPerSession` streams.
 */
export class ApprovalFeed {
  readonly #listPending: () => Promise<ApprovalItem[]>;
  readonly #pollMs: number;
  readonly #logger: Logger;
  readonly #streams = new Map<Response, StreamOwner>();
  readonly #maxStreamsPerSession: number;
  #signature = '';
  #ids = new Set<string>();
  #state: QueueChange = { version: 0, pending: 0, added: 0, ids: [] };
  #timer: NodeJS.Timeout | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #round: Promise<void> | undefined;
  #stopped = false;

  constructor(deps: {
    listPending: () => Promise<ApprovalItem[]>;
    pollMs: number;
    logger: Logger;
    maxStreamsPerSession?: number;
  }) {
    this.#maxStreamsPerSession = deps.maxStreamsPerSession ?? MAX_STREAMS_PER_SESSION;
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
      this.heartbeat().catch((error: unknown) =>
        this.#logger.warn({ err: String(error) }, 'approval feed heartbeat failed'),
      );
    }, HEARTBEAT_MS);
    this.#heartbeat.unref();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    clearInterval(this.#heartbeat);
    await this.#round;
    for (const res of this.#streams.keys()) res.end();
    this.#streams.clear();
  }

  /** Open streams (all sessions). */
  get streams(): number {
    return this.#streams.size;
  }

  /**
   * One heartbeat: asks once per session whether it is still live; ends the streams of a session
   * that is not (or whose check failed: the browser reconnects and the login decides), and sends
   * the others a keep-alive comment.
   */
  async heartbeat(): Promise<void> {
    const byKey = new Map<string, { owner: StreamOwner; streams: Response[] }>();
    for (const [res, owner] of this.#streams) {
      const group = byKey.get(owner.key) ?? { owner, streams: [] };
      group.streams.push(res);
      byKey.set(owner.key, group);
    }
    await Promise.all(
      [...byKey.values()].map(async ({ owner, streams }) => {
        const alive = await owner.alive().catch((error: unknown) => {
          this.#logger.warn({ err: String(error) }, 'approval feed: session check failed');
          return false;
        });
        for (const res of streams) {
          if (alive) {
            res.write(': keep-alive\n\n');
          } else {
            this.#streams.delete(res);
            res.end();
          }
        }
      }),
    );
  }

  /**
   * Opens an SSE stream on `res` for the session `owner` (the caller checked it); false (429 sent)
   * when the session already holds its maximum of streams.
   */
  subscribe(res: Response, owner: StreamOwner): boolean {
    let held = 0;
    for (const o of this.#streams.values()) if (o.key === owner.key) held += 1;
    if (held >= this.#maxStreamsPerSession) {
      res
        .status(429)
        .type('text/plain')
        .send(`at most ${this.#maxStreamsPerSession} event streams a session; close a tab`);
      return false;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(`retry: 3000\n`);
    this.#send(res, this.#state);
    this.#streams.set(res, owner);
    res.on('close', () => this.#streams.delete(res));
    return true;
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
    for (const res of this.#streams.keys()) this.#send(res, this.#state);
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
