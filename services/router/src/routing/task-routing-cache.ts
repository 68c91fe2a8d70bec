import type { RoutingDecisionRecord, RoutingDecisionRepository } from '@forge/store';

/**
 * The routing decisions the model gateway reads for every call, by task id: a bounded LRU in
 * front of `routing_decisions`. Decisions never change once recorded, so an entry never goes
 * stale; the route consumer puts each decision it makes straight in.
 */
export class TaskRoutingCache {
  readonly #decisions: RoutingDecisionRepository;
  readonly #max: number;
  readonly #entries = new Map<string, RoutingDecisionRecord>();

  constructor(decisions: RoutingDecisionRepository, max = 10_000) {
    this.#decisions = decisions;
    this.#max = max;
  }

  remember(record: RoutingDecisionRecord): void {
    this.#entries.delete(record.taskId);
    this.#entries.set(record.taskId, record);
    if (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }

  /** The task's recorded decision (memory first, then Postgres), or null when it has none. */
  async get(taskId: string): Promise<RoutingDecisionRecord | null> {
    const hit = this.#entries.get(taskId);
    if (hit) {
      // Refresh its place in the LRU order.
      this.#entries.delete(taskId);
      this.#entries.set(taskId, hit);
      return hit;
    }
    const stored = await this.#decisions.get(taskId);
    if (stored) this.remember(stored);
    return stored;
  }
}
