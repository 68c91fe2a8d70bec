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

  take(route: FakeRoute, model: string, outputName?: string): FakeReply | undefined {
    const index = this.#queue.findIndex(
      (reply) =>
        (reply.match?.route === undefined || reply.match.route === route) &&
        (reply.match?.model === undefined || reply.match.model === model) &&
        (reply.match?.output === undefined || reply.match.output === outputName),
    );
    if (index < 0) return undefined;
    const reply = this.#queue[index]!;
    // A repeating reply answers every request it matches and stays queued.
    return reply.repeat ? reply : this.#queue.splice(index, 1)[0];
  }

  get pending(): number {
    return this.#queue.length;
  }

  clear(): void {
    this.#queue = [];
  }
}
