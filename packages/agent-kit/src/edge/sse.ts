import { once } from 'node:events';
import type { Response } from 'express';

/** How often an idle stream sends an SSE comment, so proxies and clients do not drop it. */
export const SSE_KEEP_ALIVE_MS = 15_000;

/**
 * One Server-Sent Events response (A2A v1.0 §3.1.2, §9.4.2, §11.7): `data:` lines of JSON, an
 * `event: error` for a failure after the stream began, `: keep-alive` comments while idle, and
 * back-pressure (a slow client makes the relay wait instead of buffering without bound).
 */
export class SseStream {
  readonly #res: Response;
  readonly #keepAlive: NodeJS.Timeout;

  constructor(res: Response, keepAliveMs = SSE_KEEP_ALIVE_MS) {
    this.#res = res;
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream');
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('Connection', 'keep-alive');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    this.#keepAlive = setInterval(() => {
      if (this.open) res.write(': keep-alive\n\n');
    }, keepAliveMs);
    this.#keepAlive.unref();
  }

  /** False once the client went away or the stream ended. */
  get open(): boolean {
    return !this.#res.writableEnded && !this.#res.destroyed;
  }

  /** Writes one event; waits while the client is slow to read. */
  async send(data: unknown, event?: 'error'): Promise<void> {
    if (!this.open) return;
    const frame = `${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`;
    if (!this.#res.write(frame)) {
      await Promise.race([once(this.#res, 'drain'), once(this.#res, 'close')]);
    }
  }

  end(): void {
    clearInterval(this.#keepAlive);
    if (this.open) this.#res.end();
  }
}
