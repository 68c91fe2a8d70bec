import type { FakeReply, FakeRoute } from './fake-reply.js';

/**
 * A queue of scripted replies. A request takes the first queued reply whose `match` fits it;
 * with none, it gets the default echo reply.
 */
export class FakeScript {
  #queue: FakeReply[] = [];

  push(replies: FakeReply[]): void {
    this.#queue.push(...replies);
  }

  take(route: FakeRoute, model: string): FakeReply | undefined {
    const index = this.#queue.findIndex(
      (reply) =>
        (reply.match?.route === undefined || reply.match.route === route) &&
        (reply.match?.model === undefined || reply.match.model === model),
    );
    if (index < 0) return undefined;
    return this.#queue.splice(index, 1)[0];
  }

  get pending(): number {
    return this.#queue.length;
  }

  clear(): void {
    this.#queue = [];
  }
}
